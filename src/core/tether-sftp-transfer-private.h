/* tether-sftp-transfer-private.h: what the file and folder transfers share. Everything
 * here runs on the transfer's thread, on its private TetherSftpClient. */
#pragma once

#include "tether-sftp-client-private.h"

G_BEGIN_DECLS

/* One file's pipelined copy (tether-sftp-transfer.c), as a folder transfer runs it: no
 * resume, no fsync, permissions set to @mode (when not 0) on the copy; a download goes
 * through NAME.part, an upload straight to its name. */
typedef struct _TetherSftpFileJob TetherSftpFileJob;
typedef void (*TetherSftpFileJobFunc) (TetherSftpFileJob *job,
                                       gpointer           data);

TetherSftpFileJob *_tether_sftp_file_job_new       (TetherSftpClient      *client,
                                                    gboolean               upload,
                                                    const char            *remote_path,
                                                    const char            *local_path,
                                                    guint32                mode,
                                                    guint64                size,
                                                    TetherTransfer        *transfer,
                                                    GCancellable          *cancellable);
/* @func runs once, when the copy ended (see _tether_sftp_file_job_get_error()). */
void               _tether_sftp_file_job_start     (TetherSftpFileJob     *job,
                                                    TetherSftpFileJobFunc  func,
                                                    gpointer               data);
const GError      *_tether_sftp_file_job_get_error (TetherSftpFileJob     *job);
void               _tether_sftp_file_job_free      (TetherSftpFileJob     *job);

/* Called once with the folder transfer's result: NULL, or an error (transfer full) that
 * names the items that failed. */
typedef void (*TetherSftpTreeFunc) (GError   *error,
                                    gpointer  data);

/* Copies the folder @remote_path to @local_path (or back, for @upload) with all it holds;
 * @mode: the source folder's permissions. In tether-sftp-transfer-tree.c. */
void               _tether_sftp_tree_run           (TetherSftpClient      *client,
                                                    gboolean               upload,
                                                    const char            *remote_path,
                                                    const char            *local_path,
                                                    guint32                mode,
                                                    TetherTransfer        *transfer,
                                                    GCancellable          *cancellable,
                                                    TetherSftpTreeFunc     func,
                                                    gpointer               data);

G_END_DECLS
