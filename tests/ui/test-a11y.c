/* test-a11y.c: what a screen reader is told about the buttons that show only an icon: each
 * has an accessible label (GTK_ACCESSIBLE_PROPERTY_LABEL) and a tooltip, in the main window
 * (sidebar, header bars, a terminal tab and its find bar, wide and folded), the files page's
 * header and the forwards panel (with rows of each kind). A failure names every offender by
 * its place in the widget tree, its template id and its icon.
 *
 * Runs with GTK_A11Y=test (tests/ui/meson.build): GTK 4.8's test backend records accessible
 * properties, which gtk_test_accessible_has_property () then reads; with GTK_A11Y=none there
 * are none to read. Tabs open to a port on 127.0.0.1 that accepts and says nothing, so no
 * test server is needed and nothing leaves the machine. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <tether.h>

#include "tether-files-page.h"
#include "tether-forwards-panel.h"

#include "tether-ui-test.h"

/* Narrower than the sidebar and the content side together: the window folds. */
#define NARROW_WIDTH 500
#define WINDOW_HEIGHT 700

/* The icon-only buttons each place has at least: a check that finds fewer has lost its way
 * (a template child renamed, a page not built), not found them all labelled. */
#define MIN_WINDOW_BUTTONS 6
#define MIN_FILES_HEADER_BUTTONS 10
/* Add and Refresh, and per row Copy Address and the menu, plus Open in Browser for a web port. */
#define MIN_PANEL_BUTTONS 9

static TetherApplication *app;

typedef struct {
  TetherWindow *window;
  TetherUiTestListener *listener;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->listener = tether_ui_test_listener_new ();
  tether_ui_test_open_window (app, &fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  tether_ui_test_close_windows (app, &fixture->window);
  g_clear_pointer (&fixture->listener, tether_ui_test_listener_free);
}

/* A host on @fixture's listener, under its own @alias: a session no other test shares. */
static TetherHost *
new_listener_host (Fixture    *fixture,
                   const char *alias)
{
  TetherHost *host = tether_host_new (alias);

  tether_host_set_hostname (host, "127.0.0.1");
  tether_host_set_port (host, tether_ui_test_listener_get_port (fixture->listener));
  tether_host_set_user (host, "user");
  return host;
}

/* Fails naming every unlabelled icon-only button under @root; returns how many were checked. */
static guint
assert_icon_buttons_labelled (GtkWidget *root)
{
  guint n_checked = 0;
  g_autofree char *unlabelled = tether_ui_test_dup_unlabelled_icon_buttons (root, &n_checked);

  g_assert_cmpstr (unlabelled, ==, "");

  return n_checked;
}

/* The check itself: a button with an icon and nothing else is named as the offender, and the
 * label and tooltip it lacks are read as set once they are (so that GTK_A11Y=test records
 * them: with it unset or "none" this test fails). */
static void
test_finds_unlabelled (void)
{
  GtkWidget *box = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0));
  GtkWidget *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  GtkWidget *labelled = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  GtkWidget *text = gtk_button_new_with_label ("Text");
  g_autofree char *unlabelled = NULL;
  guint n_checked = 0;

  g_assert_cmpstr (g_getenv ("GTK_A11Y"), ==, "test");
  gtk_widget_set_tooltip_text (labelled, "Delete");
  gtk_accessible_update_property (GTK_ACCESSIBLE (labelled), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Delete", -1);
  gtk_box_append (GTK_BOX (box), button);
  gtk_box_append (GTK_BOX (box), labelled);
  gtk_box_append (GTK_BOX (box), text);

  unlabelled = tether_ui_test_dup_unlabelled_icon_buttons (box, &n_checked);
  g_assert_cmpuint (n_checked, ==, 2);
  g_assert_cmpstr (unlabelled, ==,
                   "GtkButton without id (edit-copy-symbolic) in /GtkBox: no tooltip "
                   "no accessible label");
  g_clear_pointer (&unlabelled, g_free);

  /* A tooltip alone is not a name; an empty label is none. */
  gtk_widget_set_tooltip_text (button, "Copy");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, "",
                                  -1);
  unlabelled = tether_ui_test_dup_unlabelled_icon_buttons (box, NULL);
  g_assert_cmpstr (unlabelled, ==,
                   "GtkButton without id (edit-copy-symbolic) in /GtkBox: no accessible label");
  g_clear_pointer (&unlabelled, g_free);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, "Copy",
                                  -1);
  unlabelled = tether_ui_test_dup_unlabelled_icon_buttons (box, NULL);
  g_assert_cmpstr (unlabelled, ==, "");

  g_object_unref (box);
}

/* The main window: its header bars and sidebar, a saved host's row, a terminal tab with its
 * find bar open and its banner's buttons; then folded, with the back and tabs buttons. */
static void
test_main_window (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TetherHostStore) store = tether_host_store_new ();
  g_autofree char *config_path = g_build_filename (g_get_home_dir (), "a11y.conf", NULL);
  g_autoptr(GFile) config = g_file_new_for_path (config_path);
  g_autoptr(TetherHost) host = new_listener_host (fixture, "a11y-window.test");
  g_autoptr(GError) error = NULL;
  TetherWindow *window = fixture->window;
  GtkWidget *page;

  g_assert_true (g_file_set_contents (config_path, "Host saved\n  HostName saved.test\n", -1,
                                      &error));
  g_assert_no_error (error);
  g_assert_true (tether_host_store_load_file (store, config, &error));
  g_assert_no_error (error);
  tether_window_set_host_store (window, store);

  page = adw_tab_page_get_child (tether_window_open_host (window, host));
  WAIT_UNTIL (gtk_widget_get_mapped (page));
  g_assert_true (gtk_widget_activate_action (page, "term.find", NULL));
  g_assert_cmpuint (assert_icon_buttons_labelled (GTK_WIDGET (window)), >=, MIN_WINDOW_BUTTONS);

  gtk_window_set_default_size (GTK_WINDOW (window), NARROW_WIDTH, WINDOW_HEIGHT);
  WAIT_UNTIL (adw_leaflet_get_folded (ADW_LEAFLET (tether_ui_test_get_widget (window,
                                                                              "leaflet"))));
  g_assert_cmpuint (assert_icon_buttons_labelled (GTK_WIDGET (window)), >=, MIN_WINDOW_BUTTONS);

  g_assert_cmpint (g_unlink (config_path), ==, 0);
}

/* The files page's header: back, up, reload, hidden files, new folder, upload, download,
 * rename, delete and transfers; and the rest of the page. */
static void
test_files_page (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TetherHost) host = new_listener_host (fixture, "a11y-files.test");
  TetherHostSession *session = tether_ui_test_session_for (app, host);
  GtkWidget *page;

  page = adw_tab_page_get_child (tether_window_open_files (fixture->window, host));
  g_assert_true (TETHER_IS_FILES_PAGE (page));
  WAIT_UNTIL (gtk_widget_get_mapped (page));
  g_assert_cmpuint (assert_icon_buttons_labelled (tether_ui_test_get_widget (page, "toolbar")),
                    >=, MIN_FILES_HEADER_BUTTONS);
  assert_icon_buttons_labelled (page);

  tether_host_session_close (session);
}

static void
add_forward (TetherForwardList *forwards,
             TetherForwardKind  kind,
             const char        *text)
{
  g_autoptr(TetherForwardSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherForward) forward = NULL;

  spec = tether_forward_spec_parse (kind, text, &error);
  g_assert_no_error (error);
  forward = tether_forward_list_add_spec (forwards, spec, FALSE);
  g_assert_nonnull (forward);
}

/* The forwards panel: its header, the server's ports, and a row of each kind of forward (the
 * local one to a web port with its Open in Browser button). */
static void
test_forwards_panel (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(TetherHost) host = new_listener_host (fixture, "a11y-forwards.test");
  TetherHostSession *session = tether_ui_test_session_for (app, host);
  TetherForwardList *forwards = tether_host_session_get_forwards (session);
  GtkWindow *panel_window;
  GtkWidget *panel;

  add_forward (forwards, TETHER_FORWARD_KIND_LOCAL, "127.0.0.1:18080 127.0.0.1:8080");
  add_forward (forwards, TETHER_FORWARD_KIND_REMOTE, "9000 localhost:3000");
  add_forward (forwards, TETHER_FORWARD_KIND_DYNAMIC, "1080");

  panel_window = tether_forwards_panel_present (GTK_WINDOW (fixture->window), session);
  g_object_add_weak_pointer (G_OBJECT (panel_window), (gpointer *) &panel_window);
  panel = adw_window_get_content (ADW_WINDOW (panel_window));
  WAIT_UNTIL (gtk_widget_get_mapped (panel));
  g_assert_cmpuint (assert_icon_buttons_labelled (panel), >=, MIN_PANEL_BUTTONS);

  gtk_window_destroy (panel_window);
  WAIT_UNTIL (panel_window == NULL);
  tether_host_session_close (session);
}

#define add_window_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  int ret;

  tether_ui_test_init (&argc, &argv);

  app = tether_ui_test_new_application ();

  g_test_add_func ("/tether/a11y/finds-unlabelled", test_finds_unlabelled);
  add_window_test ("/tether/a11y/main-window", test_main_window);
  add_window_test ("/tether/a11y/files-page", test_files_page);
  add_window_test ("/tether/a11y/forwards-panel", test_forwards_panel);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
