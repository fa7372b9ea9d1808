/* tether-remote-edit.h: edit a file of the server in place, through a private local copy. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"
#include "tether-sftp-client.h"

G_BEGIN_DECLS

/**
 * TetherRemoteEditState:
 * @TETHER_REMOTE_EDIT_STATE_STOPPED: not started yet, or stopped: nothing is watched
 * @TETHER_REMOTE_EDIT_STATE_DOWNLOADING: the server's file is being copied to the local copy
 * @TETHER_REMOTE_EDIT_STATE_WATCHING: the local copy is watched; each save is uploaded
 * @TETHER_REMOTE_EDIT_STATE_UPLOADING: a save is being checked and uploaded
 * @TETHER_REMOTE_EDIT_STATE_CONFLICT: the file changed on the server since it was copied;
 *   nothing is uploaded until tether_remote_edit_resolve() says which version wins (another
 *   save meanwhile is checked again, and signals #TetherRemoteEdit::conflict again)
 * @TETHER_REMOTE_EDIT_STATE_FAILED: the last download or upload failed with
 *   #TetherRemoteEdit:error; once started, the copy is still watched and the next save
 *   tries again
 *
 * Where an edit in place is.
 */
typedef enum {
  TETHER_REMOTE_EDIT_STATE_STOPPED,
  TETHER_REMOTE_EDIT_STATE_DOWNLOADING,
  TETHER_REMOTE_EDIT_STATE_WATCHING,
  TETHER_REMOTE_EDIT_STATE_UPLOADING,
  TETHER_REMOTE_EDIT_STATE_CONFLICT,
  TETHER_REMOTE_EDIT_STATE_FAILED,
} TetherRemoteEditState;

/**
 * TetherRemoteEditResolution:
 * @TETHER_REMOTE_EDIT_KEEP_MINE: upload the local copy over the server's changed file
 * @TETHER_REMOTE_EDIT_KEEP_THEIRS: keep the server's file and copy it over the local copy
 *
 * How tether_remote_edit_resolve() ends a conflict.
 */
typedef enum {
  TETHER_REMOTE_EDIT_KEEP_MINE,
  TETHER_REMOTE_EDIT_KEEP_THEIRS,
} TetherRemoteEditResolution;

#define TETHER_TYPE_REMOTE_EDIT (tether_remote_edit_get_type ())

TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherRemoteEdit, tether_remote_edit, TETHER, REMOTE_EDIT, GObject)

TETHER_AVAILABLE_IN_ALL
TetherRemoteEdit     *tether_remote_edit_new              (TetherSftpClient          *client,
                                                           const char                *remote_path);
TETHER_AVAILABLE_IN_ALL
TetherSftpClient     *tether_remote_edit_get_client       (TetherRemoteEdit          *self);
TETHER_AVAILABLE_IN_ALL
void                  tether_remote_edit_set_client       (TetherRemoteEdit          *self,
                                                           TetherSftpClient          *client);
TETHER_AVAILABLE_IN_ALL
const char           *tether_remote_edit_get_remote_path  (TetherRemoteEdit          *self);
TETHER_AVAILABLE_IN_ALL
GFile                *tether_remote_edit_get_local_file   (TetherRemoteEdit          *self);
TETHER_AVAILABLE_IN_ALL
TetherRemoteEditState tether_remote_edit_get_state        (TetherRemoteEdit          *self);
TETHER_AVAILABLE_IN_ALL
const GError         *tether_remote_edit_get_error        (TetherRemoteEdit          *self);
TETHER_AVAILABLE_IN_ALL
guint                 tether_remote_edit_get_n_uploads    (TetherRemoteEdit          *self);

TETHER_AVAILABLE_IN_ALL
void                  tether_remote_edit_start_async      (TetherRemoteEdit          *self,
                                                           GCancellable              *cancellable,
                                                           GAsyncReadyCallback        callback,
                                                           gpointer                   user_data);
TETHER_AVAILABLE_IN_ALL
gboolean              tether_remote_edit_start_finish     (TetherRemoteEdit          *self,
                                                           GAsyncResult              *result,
                                                           GError                   **error);
TETHER_AVAILABLE_IN_ALL
void                  tether_remote_edit_resolve          (TetherRemoteEdit          *self,
                                                           TetherRemoteEditResolution resolution);
TETHER_AVAILABLE_IN_ALL
void                  tether_remote_edit_stop             (TetherRemoteEdit          *self);

G_END_DECLS
