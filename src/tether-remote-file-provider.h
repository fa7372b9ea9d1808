/* tether-remote-file-provider.h: what a row dragged out of the files page offers. */
#pragma once

#include <gtk/gtk.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_REMOTE_FILE_PROVIDER (tether_remote_file_provider_get_type ())
G_DECLARE_FINAL_TYPE (TetherRemoteFileProvider, tether_remote_file_provider, TETHER,
                      REMOTE_FILE_PROVIDER, GdkContentProvider)

GdkContentProvider *tether_remote_file_provider_new        (TetherSftpClient   *client,
                                                            const char * const *remote_paths);
TetherSftpClient   *tether_remote_file_provider_get_client (TetherRemoteFileProvider *self);
GFile              *tether_remote_file_provider_get_folder (TetherRemoteFileProvider *self);

G_END_DECLS
