/* tether-sftp-client.h: an SFTP v3 client over a session channel of a connection. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"
#include "tether-transfer.h"

G_BEGIN_DECLS

/**
 * TETHER_SFTP_ATTRIBUTE_RAW_NAME:
 *
 * The #GFileInfo attribute (a byte string) holding an entry's name exactly as the server
 * sent it, so that names that are not UTF-8 can be passed back to the server unchanged.
 */
#define TETHER_SFTP_ATTRIBUTE_RAW_NAME "tether::raw-name"

typedef struct _TetherConnection TetherConnection;
typedef struct _TetherInteraction TetherInteraction;

#define TETHER_TYPE_SFTP_CLIENT (tether_sftp_client_get_type ())

TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherSftpClient, tether_sftp_client, TETHER, SFTP_CLIENT, GObject)

TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_new_async          (TetherConnection     *connection,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
TetherSftpClient *tether_sftp_client_new_finish         (GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_new_sudo_async     (TetherConnection     *connection,
                                                         TetherInteraction    *interaction,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
TetherSftpClient *tether_sftp_client_new_sudo_finish    (GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
TetherConnection *tether_sftp_client_get_connection     (TetherSftpClient     *self);
TETHER_AVAILABLE_IN_ALL
guint             tether_sftp_client_get_server_version (TetherSftpClient     *self);
TETHER_AVAILABLE_IN_ALL
gboolean          tether_sftp_client_has_extension      (TetherSftpClient     *self,
                                                         const char           *name);
TETHER_AVAILABLE_IN_ALL
gboolean          tether_sftp_client_is_closed          (TetherSftpClient     *self);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_close              (TetherSftpClient     *self);

TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_stat_async         (TetherSftpClient     *self,
                                                         const char           *path,
                                                         gboolean              follow_links,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
GFileInfo        *tether_sftp_client_stat_finish        (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_list_async         (TetherSftpClient     *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
GListModel       *tether_sftp_client_list_finish        (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_mkdir_async        (TetherSftpClient     *self,
                                                         const char           *path,
                                                         guint                 mode,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_remove_async       (TetherSftpClient     *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_rmdir_async        (TetherSftpClient     *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_remove_recursive_async (TetherSftpClient *self,
                                                         const char           *path,
                                                         TetherTransfer       *progress,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_rename_async       (TetherSftpClient     *self,
                                                         const char           *from,
                                                         const char           *to,
                                                         gboolean              overwrite,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_chmod_async        (TetherSftpClient     *self,
                                                         const char           *path,
                                                         guint                 mode,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_symlink_async      (TetherSftpClient     *self,
                                                         const char           *target,
                                                         const char           *link_path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean          tether_sftp_client_op_finish          (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_readlink_async     (TetherSftpClient     *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_realpath_async     (TetherSftpClient     *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
char             *tether_sftp_client_path_finish        (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_statvfs_async      (TetherSftpClient     *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
GFileInfo        *tether_sftp_client_statvfs_finish     (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_open_read_async    (TetherSftpClient     *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
GInputStream     *tether_sftp_client_open_read_finish   (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_create_async       (TetherSftpClient     *self,
                                                         const char           *path,
                                                         guint                 mode,
                                                         gboolean              replace,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
GOutputStream    *tether_sftp_client_create_finish      (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_download_async     (TetherSftpClient     *self,
                                                         const char           *remote_path,
                                                         GFile                *local,
                                                         TetherTransfer       *transfer,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean          tether_sftp_client_download_finish    (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void              tether_sftp_client_upload_async       (TetherSftpClient     *self,
                                                         GFile                *local,
                                                         const char           *remote_path,
                                                         TetherTransfer       *transfer,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean          tether_sftp_client_upload_finish      (TetherSftpClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
