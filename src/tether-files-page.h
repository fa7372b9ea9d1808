/* tether-files-page.h: a tab that browses a host's files over SFTP. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_FILES_PAGE (tether_files_page_get_type ())
G_DECLARE_FINAL_TYPE (TetherFilesPage, tether_files_page, TETHER, FILES_PAGE, GtkWidget)

TetherFilesPage   *tether_files_page_new               (TetherHostSession *session);
TetherFilesPage   *tether_files_page_new_administrator (TetherHostSession *session);
gboolean           tether_files_page_get_administrator (TetherFilesPage   *self);

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
void               tether_files_page_download_selected (TetherFilesPage *self,
                                                        GFile             *folder);
TetherRemoteEdit  *tether_files_page_lookup_edit       (TetherFilesPage   *self,
                                                        const char        *remote_path);

/* tether-files-page-session.c */
const char        *tether_files_page_get_banner_text   (TetherFilesPage   *self);
void               tether_files_page_set_initial_path  (TetherFilesPage   *self,
                                                        const char        *path);

/* tether-files-page-follow.c */
gboolean           tether_files_page_get_follow_terminal (TetherFilesPage *self);
void               tether_files_page_set_follow_terminal (TetherFilesPage *self,
                                                          gboolean         follow);
GtkWidget         *tether_files_page_get_followed_terminal (TetherFilesPage *self);
const char        *tether_files_page_get_follow_status (TetherFilesPage   *self);
/* For the window: which tab was selected when, before a files tab is added. */
void               tether_files_page_watch_tabs        (AdwTabView        *tab_view);

TetherTransfer    *tether_files_page_retry_transfer    (TetherFilesPage   *self,
                                                        TetherTransfer    *transfer);

G_END_DECLS
