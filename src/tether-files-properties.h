/* tether-files-properties.h: a file's or folder's properties on the server, and its
 * permissions to change. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_FILES_PROPERTIES (tether_files_properties_get_type ())
G_DECLARE_FINAL_TYPE (TetherFilesProperties, tether_files_properties, TETHER, FILES_PROPERTIES,
                      AdwWindow)

TetherFilesProperties *tether_files_properties_new               (GtkWindow             *parent,
                                                                  TetherSftpClient      *client,
                                                                  const char            *path,
                                                                  GFileInfo             *info);
const char            *tether_files_properties_get_path          (TetherFilesProperties *self);
guint                  tether_files_properties_get_mode          (TetherFilesProperties *self);
gboolean               tether_files_properties_get_busy          (TetherFilesProperties *self);
const char            *tether_files_properties_get_error_message (TetherFilesProperties *self);

G_END_DECLS
