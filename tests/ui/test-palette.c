/* test-palette.c: terminal colours. The "palette" preference sets what VTE draws with, "follow
 * system" follows the app's light or dark style, a saved host's own palette wins over the
 * preference, and the host editor saves the host's choice in hosts.conf. Colours are read
 * back from VTE (the background it draws) rather than from our own state. Runs on its own
 * Xvfb with the memory GSettings backend (tests/tether-test-env). */
#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-host-editor.h"
#include "tether-palette.h"
#include "tether-terminal.h"
#include "tether-terminal-page.h"
#include "tether-window.h"

#include "tether-ui-test.h"

static TetherApplication *app;

/* Whether @terminal draws its background in @expected (a "#rrggbb"). */
static gboolean
background_is (VteTerminal *terminal,
               const char  *expected)
{
  GdkRGBA drawn;
  GdkRGBA wanted;

  vte_terminal_get_color_background_for_draw (terminal, &drawn);
  g_assert_true (gdk_rgba_parse (&wanted, expected));
  /* VTE keeps 16 bits a channel: compare at 8 bits, as the palettes are written. */
  return (int) (drawn.red * 255 + 0.5) == (int) (wanted.red * 255 + 0.5) &&
         (int) (drawn.green * 255 + 0.5) == (int) (wanted.green * 255 + 0.5) &&
         (int) (drawn.blue * 255 + 0.5) == (int) (wanted.blue * 255 + 0.5);
}

static void
test_preference (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TetherTerminal) terminal = g_object_ref_sink (tether_terminal_new ());
  g_autofree char *initial = g_settings_get_string (settings, "palette");

  g_assert_cmpstr (initial, ==, TETHER_PALETTE_FOLLOW_SYSTEM);

  /* Every palette but "follow system" (the first choice) is drawn as chosen. */
  for (guint i = 1; i < tether_palette_get_n_choices (); i++) {
    const TetherPalette *palette = tether_palette_get_choice (i);

    g_test_message ("palette %s", palette->id);
    g_assert_true (g_settings_set_string (settings, "palette", palette->id));
    g_assert_true (background_is (VTE_TERMINAL (terminal), palette->background));
  }

  /* All of them differ, so that the check above says something. */
  for (guint i = 1; i < tether_palette_get_n_choices (); i++) {
    for (guint j = i + 1; j < tether_palette_get_n_choices (); j++)
      g_assert_cmpstr (tether_palette_get_choice (i)->background, !=,
                       tether_palette_get_choice (j)->background);
  }

  g_settings_reset (settings, "palette");
}

static void
test_follow_system (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TetherTerminal) terminal = g_object_ref_sink (tether_terminal_new ());
  AdwStyleManager *style = adw_style_manager_get_default ();
  const TetherPalette *light = tether_palette_resolve (TETHER_PALETTE_FOLLOW_SYSTEM, FALSE);
  const TetherPalette *dark = tether_palette_resolve (TETHER_PALETTE_FOLLOW_SYSTEM, TRUE);

  g_assert_cmpstr (light->background, !=, dark->background);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  WAIT_UNTIL (adw_style_manager_get_dark (style));
  g_assert_true (background_is (VTE_TERMINAL (terminal), dark->background));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  WAIT_UNTIL (!adw_style_manager_get_dark (style));
  g_assert_true (background_is (VTE_TERMINAL (terminal), light->background));

  /* A fixed palette stays what it is in either style. */
  g_assert_true (g_settings_set_string (settings, "palette", "solarized-dark"));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  WAIT_UNTIL (adw_style_manager_get_dark (style));
  g_assert_true (background_is (VTE_TERMINAL (terminal), "#002b36"));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  WAIT_UNTIL (!adw_style_manager_get_dark (style));
  g_assert_true (background_is (VTE_TERMINAL (terminal), "#002b36"));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  g_settings_reset (settings, "palette");
}

/* A tab's terminal draws with its host's palette, over the preference, as the host changes. */
static void
test_host_override (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) host = tether_host_new_for_destination ("user@palette.test", &error);
  g_autoptr(TetherTerminalPage) page = NULL;
  VteTerminal *terminal;

  g_assert_no_error (error);
  tether_host_set_palette (host, "solarized-light");
  g_assert_true (g_settings_set_string (settings, "palette", "tango-dark"));

  /* Not shown, so it never connects. */
  page = g_object_ref_sink (tether_terminal_page_new (tether_ui_test_session_for (app, host)));
  terminal = tether_terminal_page_get_terminal (page);
  g_assert_cmpstr (tether_terminal_get_palette (TETHER_TERMINAL (terminal)), ==,
                   "solarized-light");
  g_assert_true (background_is (terminal, "#fdf6e3"));

  /* Changing the preference leaves the host's choice alone. */
  g_assert_true (g_settings_set_string (settings, "palette", "high-contrast"));
  g_assert_true (background_is (terminal, "#fdf6e3"));

  tether_host_set_palette (host, "tango-light");
  g_assert_true (background_is (terminal, "#eeeeec"));

  /* No choice, or a word this Tether does not know: the preference. */
  tether_host_set_palette (host, NULL);
  g_assert_true (background_is (terminal, "#000000"));
  tether_host_set_palette (host, "from-a-newer-tether");
  g_assert_true (background_is (terminal, "#000000"));

  g_settings_reset (settings, "palette");
}

/* The desktop's monospace font when the desktop has the setting, else Monospace 11; the
 * "font" key when the system font is turned off. */
static void
test_font (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TetherTerminal) terminal = g_object_ref_sink (tether_terminal_new ());
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(PangoFontDescription) expected = NULL;
  g_autofree char *desktop_font = NULL;
  const PangoFontDescription *font;

  g_assert_true (g_settings_get_boolean (settings, "use-system-font"));
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "monospace-font-name")) {
    g_autoptr(GSettings) desktop = g_settings_new_full (schema, NULL, NULL);

    /* The memory backend: this changes nobody's desktop. The terminal follows at once. */
    g_assert_true (g_settings_set_string (desktop, "monospace-font-name", "Monospace 13"));
    desktop_font = g_settings_get_string (desktop, "monospace-font-name");
  }
  g_test_message ("desktop monospace font: %s", desktop_font ? desktop_font : "(no schema)");
  expected = pango_font_description_from_string (desktop_font != NULL ? desktop_font
                                                                       : "Monospace 11");
  font = vte_terminal_get_font (VTE_TERMINAL (terminal));
  g_assert_true (pango_font_description_equal (font, expected));

  g_assert_true (g_settings_set_string (settings, "font", "Serif Bold 17"));
  g_assert_true (g_settings_set_boolean (settings, "use-system-font", FALSE));
  g_clear_pointer (&expected, pango_font_description_free);
  expected = pango_font_description_from_string ("Serif Bold 17");
  g_assert_true (pango_font_description_equal (vte_terminal_get_font (VTE_TERMINAL (terminal)),
                                               expected));

  g_settings_reset (settings, "use-system-font");
  g_settings_reset (settings, "font");
  if (desktop_font != NULL) {
    g_autoptr(GSettings) desktop = g_settings_new_full (schema, NULL, NULL);

    g_settings_reset (desktop, "monospace-font-name");
  }
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static TetherHost *
find_host (TetherHostStore *store,
           const char      *hostname)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++) {
    g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (store), i);

    if (g_strcmp0 (tether_host_get_hostname (host), hostname) == 0)
      return host;  /* the store holds it */
  }

  return NULL;
}

/* The editor's Palette row: a host's choice is saved as #@tether palette= and read back. */
static void
test_editor (void)
{
  TetherWindow *window = NULL;
  TetherHostStore *store;
  TetherHostEditor *editor;
  AdwComboRow *row;
  TetherHost *saved;
  g_autofree char *contents = NULL;
  int position = tether_palette_find_choice ("solarized-dark");

  tether_ui_test_open_window (app, &window);
  store = tether_window_get_host_store (window);
  WAIT_UNTIL (tether_host_store_get_loaded (store));

  /* A new host follows the preference until told otherwise. */
  editor = tether_host_editor_new (GTK_WINDOW (window), store, NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_window_present (GTK_WINDOW (editor));
  row = ADW_COMBO_ROW (tether_ui_test_get_widget (editor, "palette_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==,
                    tether_palette_get_n_choices () + 1);
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, "hostname_row")),
                         "palette.example.test");
  g_assert_cmpint (position, >, 0);
  adw_combo_row_set_selected (row, position + 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);

  WAIT_UNTIL ((saved = find_host (store, "palette.example.test")) != NULL);
  g_assert_cmpstr (tether_host_get_palette (saved), ==, "solarized-dark");
  contents = read_file (tether_host_store_get_hosts_path (store));
  g_assert_nonnull (strstr (contents, "#@tether palette=solarized-dark\n"));

  /* Editing it shows the choice; "Same as Preferences" removes it. */
  editor = tether_host_editor_new (GTK_WINDOW (window), store, saved);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_window_present (GTK_WINDOW (editor));
  row = ADW_COMBO_ROW (tether_ui_test_get_widget (editor, "palette_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, position + 1);
  adw_combo_row_set_selected (row, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);
  WAIT_UNTIL ((saved = find_host (store, "palette.example.test")) != NULL &&
              tether_host_get_palette (saved) == NULL);
  g_clear_pointer (&contents, g_free);
  contents = read_file (tether_host_store_get_hosts_path (store));
  g_assert_null (strstr (contents, "palette="));

  tether_ui_test_close_windows (app, &window);
}

/* A palette changed in the host editor recolours the host's open tabs at once: they draw
 * with their session's host (resolved as ssh -G would), not with the store's. */
static void
test_editor_recolours_tabs (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TetherUiTestListener) listener = tether_ui_test_listener_new ();
  g_autoptr(TetherHost) draft = tether_host_new ("recolour.test");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TetherWindow *window = NULL;
  TetherHostStore *store;
  TetherHostEditor *editor;
  TetherHost *saved;
  VteTerminal *first;
  VteTerminal *second;
  int position = tether_palette_find_choice ("solarized-dark");

  g_assert_true (g_settings_set_string (settings, "palette", "tango-light"));
  tether_ui_test_open_window (app, &window);
  store = tether_window_get_host_store (window);
  WAIT_UNTIL (tether_host_store_get_loaded (store));
  /* A port on 127.0.0.1 that accepts and says nothing: the tabs stay on the machine. */
  tether_host_set_hostname (draft, "127.0.0.1");
  tether_host_set_port (draft, tether_ui_test_listener_get_port (listener));
  tether_host_store_add_async (store, draft, NULL, tether_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (tether_host_store_add_finish (store, result, &error));
  g_assert_no_error (error);
  WAIT_UNTIL ((saved = find_host (store, "127.0.0.1")) != NULL);

  /* Two tabs of the saved host, as its row opens them: one session. */
  first = tether_terminal_page_get_terminal (tether_ui_test_tab_terminal (
                                               tether_window_open_host (window, saved)));
  second = tether_terminal_page_get_terminal (tether_ui_test_tab_terminal (
                                                tether_window_open_host (window, saved)));
  g_assert_true (background_is (first, "#eeeeec"));
  g_assert_true (background_is (second, "#eeeeec"));

  editor = tether_host_editor_new (GTK_WINDOW (window), store, saved);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_window_present (GTK_WINDOW (editor));
  adw_combo_row_set_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (editor, "palette_row")),
                              position + 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);
  g_assert_true (background_is (first, "#002b36"));
  g_assert_true (background_is (second, "#002b36"));

  /* Back to the preference. */
  WAIT_UNTIL ((saved = find_host (store, "127.0.0.1")) != NULL &&
              g_strcmp0 (tether_host_get_palette (saved), "solarized-dark") == 0);
  editor = tether_host_editor_new (GTK_WINDOW (window), store, saved);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_window_present (GTK_WINDOW (editor));
  adw_combo_row_set_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (editor, "palette_row")),
                              0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);
  g_assert_true (background_is (first, "#eeeeec"));
  g_assert_true (background_is (second, "#eeeeec"));

  tether_ui_test_close_windows (app, &window);
  g_settings_reset (settings, "palette");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tether_ui_test_init (&argc, &argv);

  app = tether_ui_test_new_application ();

  g_test_add_func ("/tether/palette/preference", test_preference);
  g_test_add_func ("/tether/palette/follow-system", test_follow_system);
  g_test_add_func ("/tether/palette/host-override", test_host_override);
  g_test_add_func ("/tether/palette/editor", test_editor);
  g_test_add_func ("/tether/palette/editor-recolours-tabs", test_editor_recolours_tabs);
  g_test_add_func ("/tether/palette/font", test_font);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
