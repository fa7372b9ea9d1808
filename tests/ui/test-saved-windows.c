/* test-saved-windows.c: the windows and tabs Tether restores survive a save and a load, and a
 * damaged file never gives a tab that runs an unexpected command on the server. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tether-saved-windows.h"

typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_result (Wait *wait)
{
  g_main_loop_run (wait->loop);
  return wait->result;
}

static GPtrArray *
two_windows (void)
{
  GPtrArray *windows = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_saved_window_free);
  TetherSavedWindow *first = tether_saved_window_new ();
  TetherSavedWindow *second = tether_saved_window_new ();

  first->width = 900;
  first->height = 600;
  first->active_tab = 1;
  g_ptr_array_add (first->tabs, tether_saved_tab_new ("host-a", NULL, NULL));
  g_ptr_array_add (first->tabs, tether_saved_tab_new ("host-b", "Logs = tail; \"x\"",
                                                      "tether-3"));
  second->maximized = TRUE;
  g_ptr_array_add (second->tabs, tether_saved_tab_new ("host-a", NULL, "tether-7"));
  g_ptr_array_add (windows, first);
  g_ptr_array_add (windows, second);
  return windows;
}

static void
assert_two_windows (GPtrArray *windows)
{
  TetherSavedWindow *first;
  TetherSavedWindow *second;
  TetherSavedTab *tab;

  g_assert_cmpuint (windows->len, ==, 2);
  first = g_ptr_array_index (windows, 0);
  second = g_ptr_array_index (windows, 1);
  g_assert_cmpint (first->width, ==, 900);
  g_assert_cmpint (first->height, ==, 600);
  g_assert_false (first->maximized);
  g_assert_cmpuint (first->active_tab, ==, 1);
  g_assert_cmpuint (first->tabs->len, ==, 2);
  tab = g_ptr_array_index (first->tabs, 0);
  g_assert_cmpstr (tab->host_id, ==, "host-a");
  g_assert_null (tab->title);
  g_assert_null (tab->tmux_session);
  tab = g_ptr_array_index (first->tabs, 1);
  g_assert_cmpstr (tab->host_id, ==, "host-b");
  g_assert_cmpstr (tab->title, ==, "Logs = tail; \"x\"");
  g_assert_cmpstr (tab->tmux_session, ==, "tether-3");
  g_assert_true (second->maximized);
  g_assert_cmpuint (second->tabs->len, ==, 1);
  tab = g_ptr_array_index (second->tabs, 0);
  g_assert_cmpstr (tab->tmux_session, ==, "tether-7");
}

static void
test_round_trip (void)
{
  g_autoptr(GPtrArray) windows = two_windows ();
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  data = tether_saved_windows_to_data (windows, &length);
  loaded = tether_saved_windows_from_data (data, length, &error);
  g_assert_no_error (error);
  assert_two_windows (loaded);
}

/* The name goes into `tmux new-session -A -s NAME` on the server: a file edited to say
 * anything else restores the tab without tmux rather than run it. */
static void
test_unsafe_tmux_name_dropped (void)
{
  const char *data =
    "[Tether]\nversion=1\nwindows=1\n"
    "[window 0]\ntabs=2\nactive-tab=7\n"
    "[window 0 tab 0]\nhost=h\ntmux-session=x; rm -rf ~\n"
    "[window 0 tab 1]\nhost=h\ntmux-session=tether-2\n";
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  TetherSavedWindow *window;

  loaded = tether_saved_windows_from_data (data, strlen (data), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 1);
  window = g_ptr_array_index (loaded, 0);
  g_assert_cmpuint (window->tabs->len, ==, 2);
  g_assert_null (((TetherSavedTab *) g_ptr_array_index (window->tabs, 0))->tmux_session);
  g_assert_cmpstr (((TetherSavedTab *) g_ptr_array_index (window->tabs, 1))->tmux_session, ==,
                   "tether-2");
  /* An active tab past the end falls back to the first. */
  g_assert_cmpuint (window->active_tab, ==, 0);
}

static void
test_damaged (void)
{
  const char *cases[] = {
    "not a key file \x01",
    "[Tether]\nversion=2\nwindows=0\n",
    "[Tether]\nversion=1\nwindows=100000\n",
    "[Tether]\nversion=1\nwindows=1\n",
    "[Tether]\nversion=1\nwindows=1\n[window 0]\ntabs=1\n",
    "[Tether]\nversion=1\nwindows=-1\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) loaded = NULL;

    loaded = tether_saved_windows_from_data (cases[i], strlen (cases[i]), &error);
    g_assert_null (loaded);
    g_assert_nonnull (error);
    g_assert_cmpstr (g_quark_to_string (error->domain), ==,
                     g_quark_to_string (G_KEY_FILE_ERROR));
    g_assert_cmpstr (error->message, !=, "");
  }
}

static void
test_save_load_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-saved-windows-XXXXXX", &error);
  g_autofree char *sub = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) windows = two_windows ();
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop, NULL };
  GStatBuf st;

  g_assert_no_error (error);
  sub = g_build_filename (dir, "sub", NULL);
  path = g_build_filename (sub, "windows.ini", NULL);

  /* Nothing saved yet: an empty list, not an error. */
  tether_saved_windows_load_async (path, NULL, store_result, &wait);
  loaded = tether_saved_windows_load_finish (wait_result (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_clear_pointer (&loaded, g_ptr_array_unref);

  tether_saved_windows_save_async (path, windows, NULL, store_result, &wait);
  g_assert_true (tether_saved_windows_save_finish (wait_result (&wait), &error));
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  tether_saved_windows_load_async (path, NULL, store_result, &wait);
  loaded = tether_saved_windows_load_finish (wait_result (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  assert_two_windows (loaded);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (sub), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tether/saved-windows/round-trip", test_round_trip);
  g_test_add_func ("/tether/saved-windows/unsafe-tmux-name", test_unsafe_tmux_name_dropped);
  g_test_add_func ("/tether/saved-windows/damaged", test_damaged);
  g_test_add_func ("/tether/saved-windows/save-load-file", test_save_load_file);
  return g_test_run ();
}
