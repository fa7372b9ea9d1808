/* tether-files-page-private.h: what the files of TetherFilesPage share.
 *
 * - tether-files-page.c: the class, connecting, listing, navigation, the folder operations.
 * - tether-files-page-transfers.c: uploads, downloads and the transfers popover.
 * - tether-files-page-session.c: riding on the host session: the SFTP client comes back
 *   after a reconnect, and a banner says what the connection does meanwhile.
 * - tether-files-page-follow.c: Follow Terminal Folder (OSC 7 of the host's terminal).
 * - tether-files-page-admin.c: the page as administrator (SFTP through sudo).
 * - tether-files-page-edit.c: Open With Default App (edit in place), the context menu.
 * - tether-files-page-dnd.c: drag and drop, both ways.
 * - tether-files-page-view.c: sorting by column, type-ahead, the Properties action.
 * - tether-files-page-ops.c: New Folder, Rename, Delete. */
#pragma once

#include "tether-files-page.h"

G_BEGIN_DECLS

struct _TetherFilesPage
{
  GtkWidget parent_instance;

  TetherHostSession *session;
  TetherSftpClient *client;
  GCancellable *cancellable;     /* the client's opening and the current listing */
  char *title;
  char *path;                    /* the folder shown, or to be shown once connected */
  char *error_message;
  GPtrArray *history;            /* folders Back returns to, last one last */
  gboolean loading;
  gboolean started;
  gboolean administrator;        /* the SFTP server runs through sudo */

  GListStore *items;             /* GFileInfo of the folder */
  GtkFilterListModel *filtered;
  GtkSortListModel *sorted;
  GtkMultiSelection *selection;
  GtkCustomFilter *hidden_filter;
  GListStore *transfers;
  GHashTable *edits;             /* remote path -> TetherRemoteEdit */
  GtkWidget *context_menu;

  /* Template children */
  GtkWidget *toolbar;
  GtkEntry *path_entry;
  GtkToggleButton *hidden_button;
  GtkMenuButton *transfers_button;
  GtkListBox *transfers_list;
  GtkStack *stack;
  GtkSpinner *spinner;
  GtkColumnView *column_view;
  AdwStatusPage *error_page;

  /* tether-files-page-session.c */
  GTask *reestablish_task;       /* the session's wait for the client to open again */
  GtkInfoBar *banner;
  GtkLabel *banner_label;
  GtkWidget *reconnect_button;
  guint tick_source;             /* counts the banner down to the next retry */

  /* tether-files-page-follow.c */
  GtkToggleButton *follow_button;
  GtkWidget *tab_view;           /* weak: the AdwTabView the page is in, watched */
  GtkWidget *followed;           /* weak: the TetherTerminalPage followed, or NULL */
};

/* tether-files-page.c */
char      *_tether_files_page_child_path            (const char      *folder,
                                                     const char      *name);
void       _tether_files_page_start_listing         (TetherFilesPage *self);
/* An async call's hold on the page that does not keep it alive (see tether-files-page.c). */
GWeakRef        *_tether_files_page_hold         (TetherFilesPage *self);
TetherFilesPage *_tether_files_page_release_hold (GWeakRef        *hold);
void       _tether_files_page_open_client           (TetherFilesPage *self);
GPtrArray *_tether_files_page_dup_selected          (TetherFilesPage *self);
GFileInfo *_tether_files_page_get_single_selected   (TetherFilesPage *self);
gboolean   _tether_files_page_info_is_folder        (GFileInfo       *info);

/* tether-files-page-ops.c */
void       _tether_files_page_class_ops_init        (GtkWidgetClass  *widget_class);
void       _tether_files_page_drop_client           (TetherFilesPage *self);
gboolean   _tether_files_page_get_started           (TetherFilesPage *self);

/* tether-files-page-session.c */
void       _tether_files_page_class_session_init    (GtkWidgetClass  *widget_class);
void       _tether_files_page_session_attach        (TetherFilesPage *self);
void       _tether_files_page_session_detach        (TetherFilesPage *self);
void       _tether_files_page_session_opened        (TetherFilesPage *self,
                                                     const GError    *error);

/* tether-files-page-follow.c */
void       _tether_files_page_follow_init           (TetherFilesPage *self);
void       _tether_files_page_follow_dispose        (TetherFilesPage *self);
char      *_tether_files_page_path_from_uri         (const char      *uri);

/* tether-files-page-admin.c */
void              _tether_files_page_class_admin_init   (GtkWidgetClass      *widget_class);
void              _tether_files_page_open_client_async  (TetherFilesPage     *self,
                                                         TetherConnection    *connection,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
TetherSftpClient *_tether_files_page_open_client_finish (GAsyncResult        *result,
                                                         GError             **error);

/* tether-files-page-transfers.c */
void       _tether_files_page_class_transfers_init  (GtkWidgetClass  *widget_class);
GtkWidget *_tether_files_page_create_transfer_row   (gpointer         item,
                                                     gpointer         user_data);
TetherTransfer *_tether_files_page_upload_to        (TetherFilesPage *self,
                                                     GFile           *local,
                                                     const char      *remote,
                                                     const char      *folder);

/* tether-files-page-dnd.c */
void       _tether_files_page_init_dnd              (TetherFilesPage *self);
GFileInfo *_tether_files_page_info_at               (TetherFilesPage *self,
                                                     double           x,
                                                     double           y);

/* tether-files-page-view.c */
void       _tether_files_page_class_view_init       (GtkWidgetClass  *widget_class);
void       _tether_files_page_init_view             (TetherFilesPage *self);

/* tether-files-page-edit.c */
void       _tether_files_page_class_edit_init       (GtkWidgetClass  *widget_class);
void       _tether_files_page_edit_init             (TetherFilesPage *self);
void       _tether_files_page_edit_dispose          (TetherFilesPage *self);
void       _tether_files_page_edit_client_changed   (TetherFilesPage *self);
void       _tether_files_page_open_file             (TetherFilesPage *self,
                                                     const char      *name);

G_END_DECLS
