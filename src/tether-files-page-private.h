/* tether-files-page-private.h: what the files of TetherFilesPage share.
 *
 * - tether-files-page.c: the class, connecting, listing, navigation, the folder operations.
 * - tether-files-page-transfers.c: uploads, downloads and the transfers popover.
 * - tether-files-page-admin.c: the page as administrator (SFTP through sudo). */
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
  GtkSingleSelection *selection;
  GtkCustomFilter *hidden_filter;
  GListStore *transfers;

  /* Template children */
  GtkWidget *toolbar;
  GtkEntry *path_entry;
  GtkToggleButton *hidden_button;
  GtkMenuButton *transfers_button;
  GtkListBox *transfers_list;
  GtkStack *stack;
  GtkColumnView *column_view;
  AdwStatusPage *error_page;
};

/* tether-files-page.c */
char      *_tether_files_page_child_path            (const char      *folder,
                                                     const char      *name);
void       _tether_files_page_start_listing         (TetherFilesPage *self);

/* tether-files-page-admin.c */
void              _tether_files_page_class_admin_init   (GtkWidgetClass      *widget_class);
void              _tether_files_page_open_client_async  (TetherFilesPage     *self,
                                                         TetherConnection    *connection,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
TetherSftpClient *_tether_files_page_open_client_finish (TetherFilesPage     *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* tether-files-page-transfers.c */
void       _tether_files_page_class_transfers_init  (GtkWidgetClass  *widget_class);
GtkWidget *_tether_files_page_create_transfer_row   (gpointer         item,
                                                     gpointer         user_data);

G_END_DECLS
