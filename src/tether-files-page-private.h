/* tether-files-page-private.h: what the files of TetherFilesPage share.
 *
 * - tether-files-page.c: the class, connecting, listing, navigation, the folder operations.
 * - tether-files-page-transfers.c: uploads, downloads and the transfers popover.
 * - tether-files-page-dnd.c: drag and drop, both ways.
 * - tether-files-page-view.c: sorting by column, type-ahead, the Properties action. */
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

G_END_DECLS
