/* tether-files-page.h: a tab that browses a host's files over SFTP. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_FILES_PAGE (tether_files_page_get_type ())
G_DECLARE_FINAL_TYPE (TetherFilesPage, tether_files_page, TETHER, FILES_PAGE, GtkWidget)

TetherFilesPage   *tether_files_page_new               (TetherHostSession *session);

TetherHostSession *tether_files_page_get_session       (TetherFilesPage   *self);
TetherHost        *tether_files_page_get_host          (TetherFilesPage   *self);
const char        *tether_files_page_get_title         (TetherFilesPage   *self);
const char        *tether_files_page_get_path          (TetherFilesPage   *self);
gboolean           tether_files_page_get_loading       (TetherFilesPage   *self);
const char        *tether_files_page_get_error_message (TetherFilesPage   *self);
GListModel        *tether_files_page_get_model         (TetherFilesPage   *self);
GListModel        *tether_files_page_get_transfers     (TetherFilesPage   *self);
gboolean           tether_files_page_get_show_hidden   (TetherFilesPage   *self);
void               tether_files_page_set_show_hidden   (TetherFilesPage   *self,
                                                        gboolean           show_hidden);

void               tether_files_page_navigate          (TetherFilesPage   *self,
                                                        const char        *path);
void               tether_files_page_go_up             (TetherFilesPage   *self);
void               tether_files_page_go_back           (TetherFilesPage   *self);
void               tether_files_page_refresh           (TetherFilesPage   *self);
TetherTransfer    *tether_files_page_upload_file       (TetherFilesPage   *self,
                                                        GFile             *local);
TetherTransfer    *tether_files_page_download_file     (TetherFilesPage   *self,
                                                        const char        *name,
                                                        GFile             *local);
TetherTransfer    *tether_files_page_retry_transfer    (TetherFilesPage   *self,
                                                        TetherTransfer    *transfer);

G_END_DECLS
