/* test-defects-look.c: the defects of issue 16 that a user sees, each seen as a user meets
 * it, against a real sshd: the host editor keeps the chosen login method, broadcast shows that
 * it is on, and the sidebar, tab titles, file names, --help, find bar and host key dialog say
 * what they should. Runs on its own Xvfb with the memory GSettings backend; needs root to
 * start the test server, and skips without it. */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-host-editor.h"
#include "tether-host-list.h"
#include "tether-terminal-page-private.h"

#include "test-defects-common.h"

/* ------------------------------------------------------------------------- */
/* 5. The host editor keeps "Password"                                       */

static void
test_editor_password (Fixture       *fixture,
                      gconstpointer  data)
{
  TetherHostStore *store = tether_window_get_host_store (fixture->window);
  GtkListBox *list_box = tether_host_list_get_list_box (
                           tether_window_get_host_list (fixture->window));
  TetherHostEditor *editor;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  WAIT_UNTIL (tether_host_store_get_loaded (store));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-host", NULL));
  WAIT_UNTIL ((editor = TETHER_HOST_EDITOR (find_toplevel (TETHER_TYPE_HOST_EDITOR))) != NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, "label_row")),
                         "Password Host");
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, "hostname_row")),
                         "password.example.test");
  adw_combo_row_set_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (editor, "auth_row")),
                              TETHER_HOST_AUTH_PASSWORD);
  gtk_switch_set_active (GTK_SWITCH (tether_ui_test_get_widget (editor, "remember_switch")),
                         FALSE);
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, "password_row")),
                         "not-on-disk-4711");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);
  /* The method is in the file, in OpenSSH's words; the password is not. */
  g_assert_true (g_file_get_contents (tether_host_store_get_hosts_path (store), &contents, NULL,
                                      &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "PreferredAuthentications password"));
  g_assert_null (strstr (contents, "not-on-disk"));
  g_clear_pointer (&contents, g_free);

  /* Opened again: still Password, and not remembered. */
  WAIT_UNTIL (gtk_list_box_get_row_at_index (list_box, 0) != NULL);
  g_assert_true (gtk_widget_activate_action (
                   GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 0)), "host.edit", NULL));
  WAIT_UNTIL ((editor = TETHER_HOST_EDITOR (find_toplevel (TETHER_TYPE_HOST_EDITOR))) != NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (
                                                  editor, "auth_row"))), ==,
                    TETHER_HOST_AUTH_PASSWORD);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (tether_ui_test_get_widget (
                                                       editor, "remember_switch"))));

  /* Back to the agent: the password order goes. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (editor, "auth_row")),
                              TETHER_HOST_AUTH_AGENT);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);
  g_assert_true (g_file_get_contents (tether_host_store_get_hosts_path (store), &contents, NULL,
                                      &error));
  g_assert_no_error (error);
  g_assert_null (strstr (contents, "PreferredAuthentications"));

  remove_hosts (store);
}

/* ------------------------------------------------------------------------- */
/* 6. Broadcast is seen to be on                                             */

static double
channel_linear (guint8 value)
{
  double c = value / 255.0;

  return c <= 0.03928 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

/* The relative luminance of an opaque pixel (WCAG 2). */
static double
luminance (const guint8 *rgba)
{
  return 0.2126 * channel_linear (rgba[0]) + 0.7152 * channel_linear (rgba[1]) +
         0.0722 * channel_linear (rgba[2]);
}

static double
contrast (double a,
          double b)
{
  return (MAX (a, b) + 0.05) / (MIN (a, b) + 0.05);
}

/* How long style transitions may run: libadwaita's buttons fade in 200 ms. */
#define TRANSITION_USEC (400 * G_TIME_SPAN_MILLISECOND)

typedef struct {
  gint64 start;
  gboolean done;
} FrameWait;

static gboolean
on_frame (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       user_data)
{
  FrameWait *wait = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (wait->start == 0)
    wait->start = now;
  wait->done = now - wait->start >= TRANSITION_USEC;
  return wait->done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Waits until @widget's style follows its state and its transitions are over. */
static void
wait_frames (GtkWidget *widget)
{
  FrameWait wait = { 0, FALSE };

  gtk_widget_add_tick_callback (widget, on_frame, &wait, NULL);
  WAIT_UNTIL (wait.done);
}

/* @widget as drawn now, on its window's background, as RGBA bytes of *@width × *@height. */
static guint8 *
render_widget (GtkWidget *widget,
               int       *width,
               int       *height)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint32 *argb = NULL;
  guint8 *rgba;
  wait_frames (widget);

  *width = gtk_widget_get_width (widget);
  *height = gtk_widget_get_height (widget);
  g_assert_cmpint (*width, >, 0);
  /* What is behind a flat button: the header bar's colour, near enough. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0 },
                             &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), *width, *height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  argb = g_new (guint32, *width * *height);
  gdk_texture_download (texture, (guchar *) argb, *width * 4);
  if (g_getenv ("TETHER_TEST_SAVE_PNG") != NULL) {
    g_autofree char *name = g_strdup_printf ("%s/widget-%p-%" G_GINT64_FORMAT ".png",
                                             g_getenv ("TETHER_TEST_SAVE_PNG"), widget,
                                             g_get_monotonic_time ());
    gdk_texture_save_to_png (texture, name);
  }
  rgba = g_new (guint8, *width * *height * 4);
  for (int i = 0; i < *width * *height; i++) {
    guint8 a = argb[i] >> 24;
    /* Composited on the light or dark window background the test asks for. */
    guint8 back = adw_style_manager_get_dark (adw_style_manager_get_default ()) ? 0x30 : 0xeb;

    for (int c = 0; c < 3; c++) {
      guint8 premul = (argb[i] >> (16 - 8 * c)) & 0xff;

      rgba[i * 4 + c] = premul + back * (255 - a) / 255;
    }
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/* How well the icon of a rendered button stands out from the button's own background: the
 * background is the pixel just inside its middle left edge, the icon the pixel of the
 * middle row that differs most from it. */
static double
icon_contrast (const guint8 *rgba,
               int           width,
               int           height,
               double       *background)
{
  int row = height / 2;
  double back = luminance (rgba + (row * width + 3) * 4);
  double best = 1.0;

  for (int x = 0; x < width; x++)
    best = MAX (best, contrast (back, luminance (rgba + (row * width + x) * 4)));
  *background = back;
  return best;
}

static void
check_broadcast_button (TetherWindow *window,
                        GtkWidget    *button)
{
  g_autofree guint8 *off = NULL;
  g_autofree guint8 *on = NULL;
  double off_back;
  double on_back;
  double on_contrast;
  int width;
  int height;

  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)))
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.broadcast", NULL));
  WAIT_UNTIL (gtk_widget_get_mapped (button));
  off = render_widget (button, &width, &height);
  icon_contrast (off, width, height, &off_back);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.broadcast", NULL));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_true (gtk_widget_get_state_flags (button) & GTK_STATE_FLAG_CHECKED);
  on = render_widget (button, &width, &height);
  on_contrast = icon_contrast (on, width, height, &on_back);

  g_test_message ("broadcast (%s): background off %.3f on %.3f, icon contrast on %.2f",
                  adw_style_manager_get_dark (adw_style_manager_get_default ()) ?
                  "dark" : "light", off_back, on_back, on_contrast);
  /* On looks unlike off at a glance, and its icon stands out (WCAG: 3 for graphics). */
  g_assert_cmpfloat (contrast (off_back, on_back), >=, 1.5);
  g_assert_cmpfloat (on_contrast, >=, 3.0);
  g_assert_true (gtk_widget_has_css_class (button, "broadcast-button"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.broadcast", NULL));
}

static void
test_broadcast_visible (Fixture       *fixture,
                        gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWidget *button = tether_ui_test_get_widget (fixture->window, "broadcast_button");

  open_terminal (fixture->window);
  open_terminal (fixture->window);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  check_broadcast_button (fixture->window, button);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  check_broadcast_button (fixture->window, button);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* ------------------------------------------------------------------------- */
/* 7c. Tab titles say the host                                               */

static void
test_tab_title (Fixture       *fixture,
                gconstpointer  data)
{
  TetherTerminalPage *page = open_terminal (fixture->window);
  TetherHost *host = tether_terminal_page_get_host (page);
  g_autofree char *named = NULL;

  /* What shells set: their own name for the machine, not the user's. */
  tether_ui_test_type (page, "printf '\\033]0;%s\\007' 'user@vm: ~'\n");
  WAIT_UNTIL (g_strcmp0 (tether_terminal_page_get_title (page),
                         "Test Server — user@vm: ~") == 0);

  /* A title that names the host already is shown as it is. */
  named = g_strdup_printf ("user@%s: ~", tether_host_get_hostname (host));
  tether_ui_test_type (page, "printf '\\033]0;user@%s: ~\\007' ");
  tether_ui_test_type (page, tether_host_get_hostname (host));
  tether_ui_test_type (page, "\n");
  WAIT_UNTIL (g_strcmp0 (tether_terminal_page_get_title (page), named) == 0);
}

/* ------------------------------------------------------------------------- */
/* 7d. Save Contents suggests a plain file name                              */

static void
test_save_name (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TetherHost) host = tether_ui_test_new_host (server);
  TetherTerminalPage *page;
  g_autofree char *name = NULL;

  /* A host opened from a URL is named after it. */
  tether_host_set_label (host, "ssh://user@127.0.0.1:53529");
  page = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  /* What the file chooser is given (not shown here: its modules leak at load time). */
  name = _tether_terminal_page_dup_save_name (page);
  g_test_message ("suggested: %s", name);
  g_assert_true (g_regex_match_simple ("^ssh-user-127\\.0\\.0\\.1-53529-"
                                       "20[0-9][0-9]-[01][0-9]-[0-3][0-9]-[0-2][0-9][0-5][0-9]"
                                       "\\.txt$", name, 0, 0));
}

/* ------------------------------------------------------------------------- */
/* 7e. --help mentions ssh:// URLs                                           */

static void
test_help (void)
{
  const char *build_root = g_getenv ("TETHER_BUILD_ROOT");
  g_autofree char *tether = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  if (build_root == NULL) {
    g_test_skip ("TETHER_BUILD_ROOT is not set");
    return;
  }
  tether = g_build_filename (build_root, "src", "tether", NULL);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, tether, "--help", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_subprocess_get_successful (process));
  g_assert_nonnull (strstr (out, "ssh://"));
  g_assert_null (strstr (out, "FILE"));
}

/* ------------------------------------------------------------------------- */
/* 7f. The find bar says when nothing matches                                */

static void
test_find_no_match (Fixture       *fixture,
                    gconstpointer  data)
{
  TetherTerminalPage *page = open_terminal (fixture->window);
  VteTerminal *terminal = tether_terminal_page_get_terminal (page);
  GtkWidget *entry = tether_ui_test_get_widget (page, "search_entry");

  tether_ui_test_type (page, "echo found-$((6*7))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "found-42"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "term.find", NULL));

  gtk_editable_set_text (GTK_EDITABLE (entry), "nowhere-to-be-found");
  WAIT_UNTIL (gtk_widget_has_css_class (entry, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (entry), ==, "No matches");

  gtk_editable_set_text (GTK_EDITABLE (entry), "found-42");
  WAIT_UNTIL (vte_terminal_get_has_selection (terminal));
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_assert_null (gtk_widget_get_tooltip_text (entry));
}

/* ------------------------------------------------------------------------- */
/* 7g. The host key's fingerprint on one line                                */

static void
test_fingerprint_line (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(TetherHost) host = tether_ui_test_new_host (server);
  g_autofree char *dir = NULL;
  g_autofree char *known_hosts = NULL;
  g_autoptr(GError) error = NULL;
  const char *fingerprint = tether_test_server_get_host_key_fingerprint (server);
  TetherTerminalPage *page;
  AdwMessageDialog *dialog;
  GtkWidget *label;
  int natural;

  /* Nothing known: the first connection asks. */
  dir = g_dir_make_tmp ("tether-known-XXXXXX", &error);
  g_assert_no_error (error);
  known_hosts = g_build_filename (dir, "known_hosts", NULL);
  g_assert_true (g_file_set_contents (known_hosts, "", 0, &error));
  tether_host_set_known_hosts_file (host, known_hosts);
  page = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (dialog)));

  label = tether_ui_test_get_widget (dialog, "fingerprint_label");
  WAIT_UNTIL (gtk_widget_get_width (label) > 0);
  if (g_getenv ("TETHER_TEST_SAVE_PNG") != NULL) {
    int width;
    int height;

    g_free (render_widget (GTK_WIDGET (dialog), &width, &height));
  }
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, fingerprint);
  g_assert_null (strstr (adw_message_dialog_get_body (dialog), fingerprint));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (label)));
  g_assert_true (gtk_widget_has_css_class (label, "monospace"));
  g_assert_false (gtk_label_get_wrap (GTK_LABEL (label)));
  /* Shown whole, on one line. */
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 1);
  gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  g_assert_cmpint (gtk_widget_get_width (label), >=, natural);

  /* Accepted: the new tab's terminal is still its window's focus, and takes what is typed
   * (making the window active again is the window manager's part: there is none here). */
  adw_message_dialog_response (dialog, "once");
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (fixture->window)) ==
                 GTK_WIDGET (tether_terminal_page_get_terminal (page)));
  if (can_press_keys ()) {
    type_byte_reader (page);
    type_and_expect (page, "d", "byte=100");
  }
  g_assert_cmpint (g_unlink (known_hosts), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ------------------------------------------------------------------------- */
/* 7a, 7b. The sidebar                                                       */

static void
added_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  tether_host_store_add_finish (TETHER_HOST_STORE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Saves a host of the test server in @window's store; returns the store's own object. */
static TetherHost *
save_host (TetherWindow *window,
           const char   *label,
           const char   *colour)
{
  TetherHostStore *store = tether_window_get_host_store (window);
  g_autoptr(TetherHost) template = tether_ui_test_new_host (server);
  g_autofree char *alias = g_ascii_strdown (label, -1);
  g_autoptr(TetherHost) draft = tether_host_new (g_strdelimit (alias, " ", '-'));
  GListModel *hosts = G_LIST_MODEL (store);
  gboolean done = FALSE;

  WAIT_UNTIL (tether_host_store_get_loaded (store));
  tether_host_set_hostname (draft, tether_host_get_hostname (template));
  tether_host_set_port (draft, tether_host_get_port (template));
  tether_host_set_user (draft, tether_host_get_user (template));
  tether_host_set_identity_files (draft, tether_host_get_identity_files (template));
  tether_host_set_identities_only (draft, TRUE);
  tether_host_set_known_hosts_file (draft, tether_host_get_known_hosts_file (template));
  tether_host_set_label (draft, label);
  tether_host_set_colour (draft, colour);
  tether_host_store_add_async (store, draft, NULL, added_cb, &done);
  WAIT_UNTIL (done);

  for (guint i = 0; i < g_list_model_get_n_items (hosts); i++) {
    g_autoptr(TetherHost) host = g_list_model_get_item (hosts, i);

    if (g_strcmp0 (tether_host_get_label (host), label) == 0)
      return g_steal_pointer (&host);
  }
  g_assert_not_reached ();
}

static gboolean
row_status_has (TetherWindow *window,
                TetherHost   *host,
                const char   *needle)
{
  g_autofree char *status = tether_host_list_dup_host_status (
                              tether_window_get_host_list (window), host);

  return status != NULL && strstr (status, needle) != NULL;
}

static TetherWindow *
find_other_window (TetherWindow *window)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (TETHER_IS_WINDOW (l->data) && l->data != window)
      return l->data;

  return NULL;
}

/* A tab moved to a new window takes its host's state along to that window's sidebar. */
static void
test_moved_tab_state (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherHost) host = save_host (fixture->window, "Moving Host", NULL);
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  AdwTabPage *first;
  TetherWindow *other;

  first = tether_window_open_host (fixture->window, host);
  tether_window_open_host (fixture->window, host);
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (first)));
  WAIT_UNTIL (row_status_has (fixture->window, host, "Connected"));

  /* From the tab menu, as a right click on the tab opens it. */
  g_signal_emit_by_name (tab_view, "setup-menu", first);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "tab.move-to-new-window", NULL));
  g_signal_emit_by_name (tab_view, "setup-menu", NULL);
  WAIT_UNTIL ((other = find_other_window (fixture->window)) != NULL);
  g_assert_cmpint (adw_tab_view_get_n_pages (tether_window_get_tab_view (other)), ==, 1);
  WAIT_UNTIL (tether_host_store_get_loaded (tether_window_get_host_store (other)));
  WAIT_UNTIL (row_status_has (other, host, "Connected"));

  remove_hosts (tether_window_get_host_store (fixture->window));
}

static gboolean
has_name (GtkWidget     *widget,
          gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

/* Hosts from ~/.ssh/config say so; a saved host's colour shows in its row. */
static void
test_sidebar_marks (Fixture       *fixture,
                    gconstpointer  data)
{
  TetherHostStore *store = tether_window_get_host_store (fixture->window);
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autofree char *config = g_build_filename (ssh_dir, "config", NULL);
  g_autoptr(TetherHost) saved = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;
  GtkWidget *widget;

  WAIT_UNTIL (tether_host_store_get_loaded (store));
  g_assert_cmpint (g_mkdir_with_parents (ssh_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config, "Host config-box\n  HostName box.example.test\n",
                                      -1, &error));
  g_assert_no_error (error);
  saved = save_host (fixture->window, "Coloured Host", "#e01b24");

  WAIT_UNTIL (find_row (fixture->window, "config-box") != NULL);
  row = find_row (fixture->window, "config-box");
  widget = tether_ui_test_find_descendant (row, has_name, "source-label");
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_get_visible (widget));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (widget)), ==, "ssh_config");
  widget = tether_ui_test_find_descendant (row, has_name, "colour-dot");
  g_assert_cmpfloat (gtk_widget_get_opacity (widget), ==, 0.0);

  WAIT_UNTIL (find_row (fixture->window, "Coloured Host") != NULL);
  row = find_row (fixture->window, "Coloured Host");
  widget = tether_ui_test_find_descendant (row, has_name, "source-label");
  g_assert_true (widget == NULL || !gtk_widget_get_visible (widget));
  widget = tether_ui_test_find_descendant (row, has_name, "colour-dot");
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_get_visible (widget));
  g_assert_cmpfloat (gtk_widget_get_opacity (widget), ==, 1.0);
  /* A colour changed later shows too; none hides the dot. */
  tether_host_set_colour (saved, NULL);
  WAIT_UNTIL (gtk_widget_get_opacity (widget) == 0.0);

  if (g_getenv ("TETHER_TEST_SAVE_PNG") != NULL) {
    int width;
    int height;

    tether_host_set_colour (saved, "#3584e4");
    WAIT_UNTIL (gtk_widget_get_opacity (widget) == 1.0);
    g_free (render_widget (GTK_WIDGET (tether_window_get_host_list (fixture->window)), &width,
                           &height));
  }

  g_assert_cmpint (g_unlink (config), ==, 0);
  WAIT_UNTIL (find_row (fixture->window, "config-box") == NULL);
  remove_hosts (store);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  test_defects_init (&argc, &argv);

  add_test ("/tether/defects/editor-password", test_editor_password);
  add_test ("/tether/defects/broadcast-visible", test_broadcast_visible);
  add_test ("/tether/defects/tab-title", test_tab_title);
  add_test ("/tether/defects/save-name", test_save_name);
  g_test_add_func ("/tether/defects/help", test_help);
  add_test ("/tether/defects/find-no-match", test_find_no_match);
  add_test ("/tether/defects/fingerprint-line", test_fingerprint_line);
  add_test ("/tether/defects/moved-tab-state", test_moved_tab_state);
  add_test ("/tether/defects/sidebar-marks", test_sidebar_marks);

  ret = g_test_run ();

  test_defects_clear ();

  return ret;
}
