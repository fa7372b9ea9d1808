/* test-defects-common.c: the helpers of the issue 16 programs. Keys go in as real key
 * presses: xdotool sends them through the X server (XTest) to the window, so GTK's whole
 * shortcut machinery sees them as it sees a user's. Without xdotool those tests are skipped. */
#include "config.h"

#include <adwaita.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif
#include <tether.h>

#include "tether-host-list.h"

#include "test-defects-common.h"

TetherApplication *app;
TetherTestServer *server;

/* ------------------------------------------------------------------------- */
/* Real key presses                                                          */

static void
subprocess_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* The X window of @widget's toplevel, for xdotool. */
static char *
dup_xid (GtkWidget *widget)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (widget));

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  return g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
#else
  g_assert_not_reached ();
#endif
}

/* Presses @keys (xdotool's names, space-separated: "ctrl+g", "a b Return") in @widget's
 * window, focused first, as a user would; the main loop runs meanwhile, so GTK handles them
 * as they come. */
void
press_keys (GtkWidget  *widget,
            const char *keys)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xid = dup_xid (widget);
  g_auto(GStrv) names = g_strsplit (keys, " ", -1);
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  gboolean done = FALSE;

  g_strv_builder_add_many (argv, "xdotool", "windowfocus", "--sync", NULL);
  g_strv_builder_add (argv, xid);
  g_strv_builder_add_many (argv, "key", "--clearmodifiers", "--delay", "20", NULL);
  g_strv_builder_addv (argv, (const char **) names);
  args = g_strv_builder_end (argv);
  process = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, subprocess_done_cb, &done);
  WAIT_UNTIL (done);
}

/* Whether real key presses can be made here: skips the test when not. */
gboolean
can_press_keys (void)
{
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");

#ifdef GDK_WINDOWING_X11
  if (xdotool == NULL || !GDK_IS_X11_DISPLAY (gdk_display_get_default ())) {
    g_test_skip ("Real key presses need xdotool and an X display");
    return FALSE;
  }
  return TRUE;
#else
  g_test_skip ("Real key presses need xdotool and an X display");
  return FALSE;
#endif
}

TetherTerminalPage *
open_terminal (TetherWindow *window)
{
  g_autoptr(TetherHost) host = tether_ui_test_new_host (server);
  TetherTerminalPage *page;

  page = tether_ui_test_tab_terminal (tether_window_open_host (window, host));
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  return page;
}

gboolean
terminal_has_focus (TetherTerminalPage *page)
{
  return gtk_widget_has_focus (GTK_WIDGET (tether_terminal_page_get_terminal (page)));
}

/* Types @text with real key presses and waits for what the shell makes of it. */
void
type_and_expect (TetherTerminalPage *page,
                 const char         *keys,
                 const char         *expected)
{
  press_keys (GTK_WIDGET (page), keys);
  WAIT_UNTIL (tether_ui_test_screen_contains (page, expected));
}

/* Has the shell read one byte from the terminal and print its value as "byte=N". */
void
type_byte_reader (TetherTerminalPage *page)
{
  tether_ui_test_type (page, "clear; stty -icanon; printf 'rea%s\\n' dy; "
                             "printf 'byte=%s\\n' $(od -An -tu1 -N1); stty icanon\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "ready"));
}

/* Clicks @widget with the mouse, in its middle, as a user would. */
void
click_widget (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xid = dup_xid (widget);
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  graphene_point_t point;
  double nx;
  double ny;
  gboolean done = FALSE;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (
                                             gtk_widget_get_width (widget) / 2.0,
                                             gtk_widget_get_height (widget) / 2.0),
                                           &point));
  /* From the native widget to its surface: the surface includes the CSD shadow. */
  gtk_native_get_surface_transform (native, &nx, &ny);
  x = g_strdup_printf ("%d", (int) (point.x + nx));
  y = g_strdup_printf ("%d", (int) (point.y + ny));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "xdotool",
                              "windowfocus", "--sync", xid,
                              "mousemove", "--window", xid, "--sync", x, y,
                              "click", "1", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, subprocess_done_cb, &done);
  WAIT_UNTIL (done);
}

GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
      return window;
  }

  return NULL;
}

static void
removed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  tether_host_store_remove_finish (TETHER_HOST_STORE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Removes every saved host, for the next test. */
void
remove_hosts (TetherHostStore *store)
{
  while (g_list_model_get_n_items (G_LIST_MODEL (store)) > 0) {
    g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (store), 0);
    gboolean done = FALSE;

    tether_host_store_remove_async (store, host, NULL, removed_cb, &done);
    WAIT_UNTIL (done);
  }
}

/* The row of the host labelled @label in @window's sidebar, or NULL. */
GtkWidget *
find_row (TetherWindow *window,
          const char   *label)
{
  GtkListBox *list_box = tether_host_list_get_list_box (tether_window_get_host_list (window));
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list_box, i)) != NULL; i++) {
    GtkWidget *title = g_object_get_data (G_OBJECT (row), "tether-title");

    if (title != NULL && g_strcmp0 (gtk_label_get_text (GTK_LABEL (title)), label) == 0)
      return GTK_WIDGET (row);
  }
  return NULL;
}

/* Before any test: the program's display and application, and the test server (the tests
 * that need it are skipped without it). */
void
test_defects_init (int    *argc,
                   char ***argv)
{
  g_autoptr(GError) error = NULL;

  tether_ui_test_init (argc, argv);

  app = tether_ui_test_new_application ();

  server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);
  if (server == NULL) {
    g_test_message ("No test server: %s", error->message);
    g_clear_error (&error);
  }
}

void
test_defects_clear (void)
{
  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);
}
