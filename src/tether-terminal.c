/* tether-terminal.c: the terminal widget of a tab, a VteTerminal as Ptyxis's PtyxisTerminal
 * is: it owns what is about the terminal itself — the palette (tether-palette.c: the
 * preference, or its host's own choice; "follow system" tracks the light and dark styles),
 * the font and scrollback from GSettings, zoom, clickable links, the clipboard and its menu —
 * as widget actions in the "term" group, so that the page around it is only about the shell.
 * The link regex is compiled once per class, not once per tab.
 *
 * Its shortcuts run in the capture phase: VTE would otherwise take them as input. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>

#include "tether-file-util.h"
#include "tether-palette.h"
#include "tether-paste-dialog.h"
#include "tether-terminal.h"

/* Zoom: each step scales the font by this factor, within these bounds (VTE's own). */
#define ZOOM_FACTOR 1.1
#define ZOOM_MIN 0.25
#define ZOOM_MAX 4.0

/* The font when neither the desktop nor the settings give one. */
#define FALLBACK_FONT "Monospace 11"
#define DESKTOP_INTERFACE_SCHEMA "org.gnome.desktop.interface"
#define DESKTOP_MONOSPACE_KEY "monospace-font-name"

/* Clickable links: absolute URLs of the usual schemes, and www. names. Not a full RFC 3986
 * parser: it ends a link before trailing punctuation, as prose around links has. */
#define URL_REGEX \
  "\\b(?:(?:https?|ftp|sftp|ssh|file)://|www\\.)" \
  "[[:alnum:]\\-._~:/?#\\[\\]@!$&'()*+,;=%]*[[:alnum:]\\-_~/#=&%+]"

/* PCRE2 options VTE requires of its regexes (UTF-8 text, matched line by line). */
#define VTE_REGEX_FLAGS (PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_UCP | PCRE2_MULTILINE)

struct _TetherTerminal
{
  VteTerminal parent_instance;

  GSettings *settings;
  GSettings *desktop_settings;
  char *palette;   /* the host's choice, or NULL for the preference */

  int url_tag;
  char *context_link;
  GtkWidget *context_popover;

  /* Template children */
  GMenuModel *context_menu;
};

G_DEFINE_FINAL_TYPE (TetherTerminal, tether_terminal, VTE_TYPE_TERMINAL)

enum {
  PROP_0,
  PROP_PALETTE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Compiled in class_init: every terminal matches with the same one. */
static VteRegex *url_regex;

/* Shortcuts the terminal would otherwise take as input. */
static const struct {
  const char *trigger;
  const char *action;
} terminal_shortcuts[] = {
  { "<Control><Shift>c", "term.copy" },
  { "<Control><Shift>v", "term.paste" },
  { "<Control><Shift>a", "term.select-all" },
  { "<Control>plus", "term.zoom-in" },
  { "<Control>equal", "term.zoom-in" },
  { "<Control>KP_Add", "term.zoom-in" },
  { "<Control>minus", "term.zoom-out" },
  { "<Control>KP_Subtract", "term.zoom-out" },
  { "<Control>0", "term.zoom-reset" },
  { "<Control>KP_0", "term.zoom-reset" },
  /* The context menu from the keyboard, as GNOME Terminal has it. */
  { "<Shift>F10", "term.show-menu" },
  { "Menu", "term.show-menu" },
};

static void
update_actions (TetherTerminal *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "term.copy",
                                 vte_terminal_get_has_selection (VTE_TERMINAL (self)));
  gtk_widget_action_set_enabled (widget, "term.open-link", self->context_link != NULL);
  gtk_widget_action_set_enabled (widget, "term.copy-link", self->context_link != NULL);
}

/* ------------------------------------------------------------------------- */
/* Settings                                                                  */

static void
update_colors (TetherTerminal *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  g_autofree char *preference = g_settings_get_string (self->settings, "palette");
  const TetherPalette *palette;
  GdkRGBA colors[TETHER_PALETTE_N_COLORS];
  GdkRGBA foreground;
  GdkRGBA background;

  /* A host's word this Tether does not know counts as no choice. */
  if (tether_palette_find_choice (self->palette) >= 0)
    palette = tether_palette_resolve (self->palette, dark);
  else
    palette = tether_palette_resolve (preference, dark);

  tether_palette_get_colors (palette, &foreground, &background, colors);
  vte_terminal_set_colors (VTE_TERMINAL (self), &foreground, &background, colors,
                           TETHER_PALETTE_N_COLORS);
}

static void
update_font (TetherTerminal *self)
{
  g_autofree char *name = NULL;
  g_autoptr(PangoFontDescription) font = NULL;

  if (g_settings_get_boolean (self->settings, "use-system-font")) {
    if (self->desktop_settings != NULL)
      name = g_settings_get_string (self->desktop_settings, DESKTOP_MONOSPACE_KEY);
  } else {
    name = g_settings_get_string (self->settings, "font");
  }

  font = pango_font_description_from_string (name != NULL && *name != '\0' ? name
                                                                          : FALLBACK_FONT);
  vte_terminal_set_font (VTE_TERMINAL (self), font);
}

static void
update_scrollback (TetherTerminal *self)
{
  /* -1 keeps everything, as VTE itself understands it. */
  vte_terminal_set_scrollback_lines (VTE_TERMINAL (self),
                                     g_settings_get_int (self->settings, "scrollback-lines"));
}

static void
on_settings_changed (TetherTerminal *self,
                     const char     *key,
                     GSettings      *settings)
{
  if (g_str_equal (key, "font") || g_str_equal (key, "use-system-font") ||
      g_str_equal (key, DESKTOP_MONOSPACE_KEY))
    update_font (self);
  else if (g_str_equal (key, "scrollback-lines"))
    update_scrollback (self);
  else if (g_str_equal (key, "palette"))
    update_colors (self);
}

static GSettings *
new_desktop_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Only a GNOME-ish desktop has it; elsewhere the fallback font does. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, DESKTOP_INTERFACE_SCHEMA, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, DESKTOP_MONOSPACE_KEY))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* ------------------------------------------------------------------------- */
/* Links                                                                     */

static char *
link_at (TetherTerminal *self,
         double          x,
         double          y)
{
  char *link = vte_terminal_check_hyperlink_at (VTE_TERMINAL (self), x, y);
  int tag = -1;

  if (link != NULL)
    return link;

  link = vte_terminal_check_match_at (VTE_TERMINAL (self), x, y, &tag);
  if (link != NULL && tag == self->url_tag && g_str_has_prefix (link, "www.")) {
    char *with_scheme = g_strconcat ("http://", link, NULL);

    g_free (link);
    return with_scheme;
  }

  return link;
}

static void
open_link (TetherTerminal *self,
           const char     *link)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, link, GDK_CURRENT_TIME);
}

static void
on_pressed (TetherTerminal  *self,
            int              n_press,
            double           x,
            double           y,
            GtkGestureClick *gesture)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state = gtk_event_controller_get_current_event_state (
                            GTK_EVENT_CONTROLLER (gesture));
  g_autofree char *link = link_at (self, x, y);

  if (button == GDK_BUTTON_PRIMARY && (state & GDK_CONTROL_MASK) != 0 && link != NULL) {
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
    open_link (self, link);
  } else if (button == GDK_BUTTON_SECONDARY) {
    GdkRectangle rect = { x, y, 1, 1 };

    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
    g_free (self->context_link);
    self->context_link = g_steal_pointer (&link);
    update_actions (self);

    gtk_popover_set_pointing_to (GTK_POPOVER (self->context_popover), &rect);
    gtk_popover_popup (GTK_POPOVER (self->context_popover));
  }
}

static void
show_menu_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherTerminal *self = TETHER_TERMINAL (widget);
  VteTerminal *terminal = VTE_TERMINAL (widget);
  glong column = 0;
  glong row = 0;
  GdkRectangle rect;

  /* At the cursor, where the keyboard user is; a link there is the one the menu is for. */
  vte_terminal_get_cursor_position (terminal, &column, &row);
  row -= (glong) gtk_adjustment_get_value (gtk_scrollable_get_vadjustment (
                                             GTK_SCROLLABLE (terminal)));
  rect.x = column * vte_terminal_get_char_width (terminal);
  rect.y = row * vte_terminal_get_char_height (terminal);
  rect.width = vte_terminal_get_char_width (terminal);
  rect.height = vte_terminal_get_char_height (terminal);

  g_free (self->context_link);
  self->context_link = link_at (self, rect.x + rect.width / 2.0, rect.y + rect.height / 2.0);
  update_actions (self);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_popover), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_popover));
}

static void
open_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherTerminal *self = TETHER_TERMINAL (widget);

  if (self->context_link != NULL)
    open_link (self, self->context_link);
}

static void
copy_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherTerminal *self = TETHER_TERMINAL (widget);

  if (self->context_link != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->context_link);
}

/* ------------------------------------------------------------------------- */
/* Clipboard                                                                 */

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  vte_terminal_copy_clipboard_format (VTE_TERMINAL (widget), VTE_FORMAT_TEXT);
}

typedef struct {
  TetherTerminal *self;
  char *text;
} PasteData;

static void
paste_data_free (PasteData *data)
{
  g_clear_object (&data->self);
  g_free (data->text);
  g_free (data);
}

static void
paste_confirmed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PasteData *data = user_data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (data->self));

  /* Cancel, Escape or a closed window: nothing is pasted. */
  if (tether_paste_dialog_run_finish (TETHER_PASTE_DIALOG (source), result, NULL))
    vte_terminal_paste_text (VTE_TERMINAL (data->self), data->text);
  /* Either way, typing goes on in the terminal, in its window made active again. */
  if (GTK_IS_WINDOW (root))
    gtk_window_present (GTK_WINDOW (root));
  gtk_widget_grab_focus (GTK_WIDGET (data->self));
  paste_data_free (data);
}

static void
confirm_paste (TetherTerminal *self,
               const char     *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  TetherPasteDialog *dialog;
  PasteData *data;

  dialog = tether_paste_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, text);
  data = g_new0 (PasteData, 1);
  data->self = g_object_ref (self);
  data->text = g_strdup (text);
  tether_paste_dialog_run_async (dialog, NULL, paste_confirmed_cb, data);
}

static void
paste_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TetherTerminal) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  if (text == NULL) {
    if (error != NULL)
      g_debug ("Nothing to paste: %s", error->message);
    return;
  }

  if (strchr (text, '\n') != NULL && g_settings_get_boolean (self->settings,
                                                             "confirm-multiline-paste"))
    confirm_paste (self, text);
  else
    vte_terminal_paste_text (VTE_TERMINAL (self), text);
}

static void
paste_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, paste_read_cb,
                                 g_object_ref (widget));
}

static void
select_all_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  vte_terminal_select_all (VTE_TERMINAL (widget));
}

/* ------------------------------------------------------------------------- */
/* Zoom                                                                      */

static void
zoom_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  VteTerminal *terminal = VTE_TERMINAL (widget);
  double scale = vte_terminal_get_font_scale (terminal);

  if (g_str_equal (action_name, "term.zoom-in"))
    scale *= ZOOM_FACTOR;
  else if (g_str_equal (action_name, "term.zoom-out"))
    scale /= ZOOM_FACTOR;
  else
    scale = 1.0;

  vte_terminal_set_font_scale (terminal, CLAMP (scale, ZOOM_MIN, ZOOM_MAX));
}

/* ------------------------------------------------------------------------- */
/* Saving the contents                                                       */

/* Save contents: VTE writes its text only synchronously, so it goes to memory (no disk, no
 * waiting) on this thread, and from there to the file on a worker: a full disk leaves the
 * old file as it was. */

static void
save_contents_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GBytes *bytes = task_data;
  GFile *file = g_object_get_data (G_OBJECT (task), "file");
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GFileOutputStream) stream = NULL;
  GError *error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (path != NULL) {
    if (!tether_file_write_safely (path, data != NULL ? data : "", len,
                                   TETHER_FILE_MODE_DEFAULT, cancellable, &error))
      g_task_return_error (task, error);
    else
      g_task_return_boolean (task, TRUE);
    return;
  }

  /* A file of a GVfs backend has no path: its backend writes and renames. */
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &error);
  if (stream == NULL ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (stream), data, len, NULL, cancellable,
                                  &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * tether_terminal_save_contents_async:
 * @self: a terminal
 * @file: where to write
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is written
 * @user_data: data for @callback
 *
 * Writes the terminal's text, scrollback included, to @file as plain UTF-8, replacing what
 * @file held.
 */
void
tether_terminal_save_contents_async (TetherTerminal      *self,
                                          GFile               *file,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GOutputStream) memory = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  g_return_if_fail (TETHER_IS_TERMINAL (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_terminal_save_contents_async);
  g_task_set_name (task, "[tether] save terminal contents");

  memory = g_memory_output_stream_new_resizable ();
  if (!vte_terminal_write_contents_sync (VTE_TERMINAL (self), memory, VTE_WRITE_DEFAULT,
                                         cancellable, &error) ||
      !g_output_stream_close (memory, cancellable, &error)) {
    g_task_return_error (task, error);
    return;
  }

  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  g_task_set_task_data (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
  g_object_set_data_full (G_OBJECT (task), "file", g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, save_contents_thread);
}

/**
 * tether_terminal_save_contents_finish:
 * @self: a terminal
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: whether the file was written
 */
gboolean
tether_terminal_save_contents_finish (TetherTerminal      *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_terminal_selection_changed (VteTerminal *terminal)
{
  update_actions (TETHER_TERMINAL (terminal));
}

static void
tether_terminal_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  TetherTerminal *self = TETHER_TERMINAL (widget);

  GTK_WIDGET_CLASS (tether_terminal_parent_class)->size_allocate (widget, width, height,
                                                                  baseline);
  gtk_popover_present (GTK_POPOVER (self->context_popover));
}

static void
tether_terminal_dispose (GObject *object)
{
  TetherTerminal *self = TETHER_TERMINAL (object);

  g_clear_pointer (&self->context_popover, gtk_widget_unparent);
  g_clear_object (&self->settings);
  g_clear_object (&self->desktop_settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_TERMINAL);

  G_OBJECT_CLASS (tether_terminal_parent_class)->dispose (object);
}

static void
tether_terminal_finalize (GObject *object)
{
  TetherTerminal *self = TETHER_TERMINAL (object);

  g_free (self->context_link);
  g_free (self->palette);

  G_OBJECT_CLASS (tether_terminal_parent_class)->finalize (object);
}

static void
tether_terminal_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TetherTerminal *self = TETHER_TERMINAL (object);

  switch (prop_id) {
  case PROP_PALETTE:
    g_value_set_string (value, self->palette);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_terminal_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TetherTerminal *self = TETHER_TERMINAL (object);

  switch (prop_id) {
  case PROP_PALETTE:
    tether_terminal_set_palette (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_terminal_class_init (TetherTerminalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VteTerminalClass *terminal_class = VTE_TERMINAL_CLASS (klass);
  g_autoptr(GError) error = NULL;

  object_class->dispose = tether_terminal_dispose;
  object_class->finalize = tether_terminal_finalize;
  object_class->get_property = tether_terminal_get_property;
  object_class->set_property = tether_terminal_set_property;
  widget_class->size_allocate = tether_terminal_size_allocate;
  terminal_class->selection_changed = tether_terminal_selection_changed;

  /**
   * TetherTerminal:palette:
   *
   * The palette its host chose (tether-palette.c's words), over the "palette" preference;
   * %NULL, or a word this Tether does not know, for the preference.
   */
  properties[PROP_PALETTE] =
    g_param_spec_string ("palette", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  url_regex = vte_regex_new_for_match (URL_REGEX, -1, VTE_REGEX_FLAGS, &error);
  if (url_regex == NULL)
    g_warning ("Links will not be clickable: %s", error->message);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/tether-terminal.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherTerminal, context_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_pressed);

  gtk_widget_class_install_action (widget_class, "term.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "term.paste", NULL, paste_activated);
  gtk_widget_class_install_action (widget_class, "term.select-all", NULL, select_all_activated);
  gtk_widget_class_install_action (widget_class, "term.zoom-in", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "term.zoom-out", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "term.zoom-reset", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "term.open-link", NULL, open_link_activated);
  gtk_widget_class_install_action (widget_class, "term.show-menu", NULL, show_menu_activated);
  gtk_widget_class_install_action (widget_class, "term.copy-link", NULL, copy_link_activated);
}

static void
tether_terminal_init (TetherTerminal *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->url_tag = -1;
  if (url_regex != NULL) {
    self->url_tag = vte_terminal_match_add_regex (VTE_TERMINAL (self), url_regex, 0);
    vte_terminal_match_set_cursor_name (VTE_TERMINAL (self), self->url_tag, "pointer");
  }

  self->context_popover = gtk_popover_menu_new_from_model (self->context_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_popover), FALSE);
  gtk_widget_set_halign (self->context_popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->context_popover, GTK_WIDGET (self));
  /* GTK 4.8 leaves the focus on the chosen item of the closed menu: keys went nowhere. */
  g_signal_connect_object (self->context_popover, "closed", G_CALLBACK (gtk_widget_grab_focus),
                           self, G_CONNECT_SWAPPED);

  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  for (gsize i = 0; i < G_N_ELEMENTS (terminal_shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (
                                                              terminal_shortcuts[i].trigger),
                                                            gtk_named_action_new (
                                                              terminal_shortcuts[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  self->settings = g_settings_new (APP_ID);
  self->desktop_settings = new_desktop_settings ();
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self,
                           G_CONNECT_SWAPPED);
  if (self->desktop_settings != NULL)
    g_signal_connect_object (self->desktop_settings, "changed::" DESKTOP_MONOSPACE_KEY,
                             G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "audible-bell", self, "audible-bell", G_SETTINGS_BIND_GET);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_colors), self, G_CONNECT_SWAPPED);
  update_font (self);
  update_scrollback (self);
  update_colors (self);
  update_actions (self);
}

/**
 * tether_terminal_new:
 *
 * Returns: (transfer floating): a new terminal
 */
TetherTerminal *
tether_terminal_new (void)
{
  return g_object_new (TETHER_TYPE_TERMINAL, NULL);
}

/**
 * tether_terminal_get_context_link:
 * @self: a terminal
 *
 * Returns: (nullable): the link under the pointer when the context menu opened
 */
const char *
tether_terminal_get_context_link (TetherTerminal *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL (self), NULL);

  return self->context_link;
}

/**
 * tether_terminal_get_palette:
 * @self: a terminal
 *
 * Returns: (nullable): the palette its host chose, or %NULL for the preference
 */
const char *
tether_terminal_get_palette (TetherTerminal *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL (self), NULL);

  return self->palette;
}

/**
 * tether_terminal_set_palette:
 * @self: a terminal
 * @palette: (nullable): a palette's word, or %NULL for the preference
 *
 * Draws with @palette rather than the "palette" preference.
 */
void
tether_terminal_set_palette (TetherTerminal *self,
                             const char     *palette)
{
  g_return_if_fail (TETHER_IS_TERMINAL (self));

  if (g_strcmp0 (self->palette, palette) == 0)
    return;

  g_free (self->palette);
  self->palette = g_strdup (palette);
  update_colors (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PALETTE]);
}
