/* tether-saved-windows.h: the windows and tabs Tether brings back when it starts again. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One terminal or files tab as it was when Tether last quit. */
typedef struct {
  char *host_id;       /* TetherHost:id of the saved host */
  char *title;         /* the tab's custom title, or NULL */
  char *tmux_session;  /* the tmux session the shell ran in, or NULL */
  gboolean files;      /* a files tab, not a terminal */
  char *folder;        /* a files tab's folder (bytes, as the server names it), or NULL */
} TetherSavedTab;

/* One window: its size and its tabs, in order. */
typedef struct {
  int width;
  int height;
  gboolean maximized;
  guint active_tab;
  GPtrArray *tabs;     /* TetherSavedTab, owned */
} TetherSavedWindow;

TetherSavedTab    *tether_saved_tab_new            (const char *host_id,
                                                    const char *title,
                                                    const char *tmux_session);
TetherSavedTab    *tether_saved_tab_new_files      (const char *host_id,
                                                    const char *folder);
void               tether_saved_tab_free           (TetherSavedTab *tab);

TetherSavedWindow *tether_saved_window_new         (void);
void               tether_saved_window_free        (TetherSavedWindow *window);

char              *tether_saved_windows_default_path (void);

char              *tether_saved_windows_to_data    (GPtrArray   *windows,
                                                    gsize       *length);
GPtrArray         *tether_saved_windows_from_data  (const char  *data,
                                                    gsize        length,
                                                    GError     **error);

void               tether_saved_windows_save_async (const char          *path,
                                                    GPtrArray           *windows,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean           tether_saved_windows_save_finish (GAsyncResult  *result,
                                                     GError       **error);

void               tether_saved_windows_load_async (const char          *path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GPtrArray         *tether_saved_windows_load_finish (GAsyncResult  *result,
                                                     GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherSavedTab, tether_saved_tab_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherSavedWindow, tether_saved_window_free)

G_END_DECLS
