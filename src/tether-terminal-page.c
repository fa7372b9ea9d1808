/* tether-terminal-page.c: a tab's remote terminal, a thin view of a TetherShell. The shell
 * rides on its host's TetherHostSession (from the app's TetherSessionManager), which owns the
 * login and brings every shell of the host back after a drop, with one login: the page feeds
 * the shell's output to its TetherTerminal, writes what the terminal commits, and passes size
 * changes on. It shows the host's state in a banner (connecting, reconnecting with the attempt
 * and the next retry, failed with the error) whose button is host.reconnect: every tab of
 * the host shows the same, because it is the session's.
 *
 * With the host's "keep shells" on, the shell runs in the tmux session tether-<tab id> on the
 * server; where the server has no tmux, the page says so once and the shell is a plain one.
 *
 * Page actions are "term.find*" and "term.save-contents", and "host.reconnect"; the terminal's
 * own ("term.copy", zoom, ...) are TetherTerminal's. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>

#include "tether-terminal.h"
#include "tether-terminal-page-private.h"

/* PCRE2 options VTE requires of its regexes (UTF-8 text, matched line by line). */
#define VTE_REGEX_FLAGS (PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_UCP | PCRE2_MULTILINE)

G_DEFINE_FINAL_TYPE (TetherTerminalPage, tether_terminal_page, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (TetherTerminalState, tether_terminal_state,
                    G_DEFINE_ENUM_VALUE (TETHER_TERMINAL_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TETHER_TERMINAL_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (TETHER_TERMINAL_STATE_DISCONNECTED, "disconnected"))

GParamSpec *_tether_terminal_page_properties[N_PROPS];
#define properties _tether_terminal_page_properties

/* ------------------------------------------------------------------------- */
/* Title                                                                     */

/* Whether @title, set by a remote program, says which host it is on. Shells set
 * "user@their-own-name: ~", which is often not the name the user knows the host by. */
static gboolean
title_names_host (const char *title,
                  TetherHost *host)
{
  const char *names[] = {
    tether_host_get_display_name (host),
    tether_host_get_alias (host),
    tether_host_get_hostname (host),
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i] != NULL && *names[i] != '\0' && strstr (title, names[i]) != NULL)
      return TRUE;

  return FALSE;
}

static void
update_title (TetherTerminalPage *self)
{
  const char *terminal_title = NULL;
  g_autofree char *with_host = NULL;
  const char *title;

  if (self->terminal != NULL)
    terminal_title = vte_terminal_get_window_title (self->terminal);

  /* A name the user gave the tab wins over what programs say. */
  if (self->custom_title != NULL) {
    title = self->custom_title;
  } else if (terminal_title != NULL && *terminal_title != '\0') {
    title = terminal_title;
    if (!title_names_host (terminal_title, self->host))
      /* Translators: a tab's title: the host's name, then what the remote program says */
      title = with_host = g_strdup_printf (C_("tab title", "%s — %s"),
                                           tether_host_get_display_name (self->host),
                                           terminal_title);
  } else {
    title = tether_host_get_display_name (self->host);
  }

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* Tells the user @title, plain text, in the nearest toast overlay (the window's), if there is
 * one. Toast titles are markup, and file names and errors are not. */
void
_tether_terminal_page_show_toast (TetherTerminalPage *self,
                                  const char         *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *markup = NULL;

  if (overlay == NULL)
    return;
  markup = g_markup_escape_text (title, -1);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (markup));
}

/* ------------------------------------------------------------------------- */
/* Terminal signals                                                          */

static void
on_terminal_commit (TetherTerminalPage *self,
                    const char         *text,
                    guint               size,
                    VteTerminal        *terminal)
{
  tether_terminal_page_send_input (self, text, size);
}

static void
on_terminal_title_changed (TetherTerminalPage *self,
                           VteTerminal        *terminal)
{
  update_title (self);
}

static void
on_terminal_cwd_changed (TetherTerminalPage *self,
                         VteTerminal        *terminal)
{
  const char *uri = vte_terminal_get_current_directory_uri (terminal);
  g_autofree char *path = NULL;

  /* OSC 7 names the server's own host; the path is what matters here. */
  if (uri != NULL)
    path = g_filename_from_uri (uri, NULL, NULL);
  if (g_strcmp0 (self->cwd, path) == 0)
    return;

  g_free (self->cwd);
  self->cwd = g_steal_pointer (&path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CWD]);
}

static void
on_terminal_bell (TetherTerminalPage *self,
                  VteTerminal        *terminal)
{
  /* The user looking at this terminal heard it (or saw it) already. */
  if (!gtk_widget_has_focus (GTK_WIDGET (terminal)))
    tether_terminal_page_set_bell (self, TRUE);
}

static void
on_terminal_focus_enter (TetherTerminalPage *self)
{
  tether_terminal_page_set_bell (self, FALSE);
}

static void
on_terminal_char_size_changed (TetherTerminalPage *self,
                               guint               width,
                               guint               height,
                               VteTerminal        *terminal)
{
  _tether_terminal_page_sync_size (self);
}

/* ------------------------------------------------------------------------- */
/* Actions                                                                   */

static void
find_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
find_next_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  if (g_str_equal (action_name, "term.find-next"))
    vte_terminal_search_find_next (self->terminal);
  else
    vte_terminal_search_find_previous (self->terminal);
}

static void
save_dialog_saved_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (source), TETHER_TYPE_TERMINAL_PAGE);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  name = g_file_get_parse_name (file);
  if (!tether_terminal_save_contents_finish (TETHER_TERMINAL (source), result, &error)) {
    g_warning ("Could not save the terminal's contents to %s: %s", name, error->message);
    title = g_strdup_printf (_("Could not save to %s: %s"), name, error->message);
  } else {
    title = g_strdup_printf (_("Saved to %s"), name);
  }
  if (page != NULL)
    _tether_terminal_page_show_toast (TETHER_TERMINAL_PAGE (page), title);
}

static void
on_save_dialog_response (GtkNativeDialog    *dialog,
                         int                 response,
                         TetherTerminalPage *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    tether_terminal_save_contents_async (TETHER_TERMINAL (self->terminal), file, NULL,
                                         save_dialog_saved_cb, g_object_ref (file));

  g_clear_object (&self->save_dialog);
  /* Typing goes on in the terminal, in its window made active again. */
  if (GTK_IS_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))))
    gtk_window_present (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* What "Save Contents" suggests: the host's name and the time, as host-2026-12-04-1210.txt,
 * in characters that every file system and shell takes without quoting. */
char *
_tether_terminal_page_dup_save_name (TetherTerminalPage *self)
{
  const char *name = tether_host_get_display_name (self->host);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M");
  GString *safe = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++) {
    gboolean keep = g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-';

    /* One dash for each run of anything else, and none at the start. */
    if (keep && !(*p == '.' && safe->len == 0))
      g_string_append_c (safe, *p);
    else if (safe->len > 0 && safe->str[safe->len - 1] != '-')
      g_string_append_c (safe, '-');
  }
  while (safe->len > 0 && safe->str[safe->len - 1] == '-')
    g_string_truncate (safe, safe->len - 1);
  if (safe->len == 0)
    g_string_append (safe, "terminal");

  g_string_append_printf (safe, "-%s.txt", stamp);
  return g_string_free (safe, FALSE);
}

static void
save_contents_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (self->save_dialog != NULL) {
    gtk_native_dialog_show (self->save_dialog);
    return;
  }

  chooser = gtk_file_chooser_native_new (_("Save Terminal Contents"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  name = _tether_terminal_page_dup_save_name (self);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_save_dialog_response), self,
                           G_CONNECT_DEFAULT);

  self->save_dialog = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->save_dialog);
}

/* Shortcuts the terminal would otherwise take as input: matched in the capture phase. The
 * terminal's own (copy, paste, zoom) are TetherTerminal's. Ctrl+G is emacs', nano's and
 * readline's: it finds only while the find bar is open (its actions are disabled otherwise,
 * and a disabled action lets the key through), as in GNOME Console. */
static const struct {
  const char *trigger;
  const char *action;
} page_shortcuts[] = {
  { "<Control><Shift>f", "term.find" },
  { "<Control><Shift>g", "term.find-previous" },
  { "<Control>g", "term.find-next" },
  { "<Control><Shift>r", "host.reconnect" },
  { "<Control><Shift>s", "term.save-contents" },
};

/* host.reconnect: a click on the banner's button takes the focus, and the banner then hides:
 * give it back to the terminal, so that typing goes on where it was. */
static void
reconnect_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  _tether_terminal_page_reconnect_activated (widget, action_name, parameter);
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* ------------------------------------------------------------------------- */
/* Find                                                                      */

static void
on_search_changed (TetherTerminalPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *pattern = NULL;
  g_autoptr(VteRegex) regex = NULL;
  g_autoptr(GError) error = NULL;
  guint32 flags = VTE_REGEX_FLAGS;

  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->search_entry), NULL);

  if (*text == '\0') {
    vte_terminal_search_set_regex (self->terminal, NULL, 0);
    vte_terminal_unselect_all (self->terminal);
    return;
  }

  if (gtk_toggle_button_get_active (self->regex_button))
    pattern = g_strdup (text);
  else
    pattern = g_regex_escape_string (text, -1);
  if (!gtk_toggle_button_get_active (self->case_button))
    flags |= PCRE2_CASELESS;

  regex = vte_regex_new_for_search (pattern, -1, flags, &error);
  if (regex == NULL) {
    /* A half-typed regular expression: say so, and keep the last match shown. */
    gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->search_entry), error->message);
    return;
  }

  vte_terminal_search_set_regex (self->terminal, regex, 0);
  /* Output is read bottom up: the first match is the most recent one. The search wraps
   * around, so finding none means there is none: say so, as GNOME Console does. */
  vte_terminal_unselect_all (self->terminal);
  if (!vte_terminal_search_find_previous (self->terminal)) {
    gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->search_entry), _("No matches"));
  }
}

static void
on_search_activate (TetherTerminalPage *self)
{
  vte_terminal_search_find_previous (self->terminal);
}

static void
on_search_next_match (TetherTerminalPage *self)
{
  vte_terminal_search_find_next (self->terminal);
}

static void
on_search_previous_match (TetherTerminalPage *self)
{
  vte_terminal_search_find_previous (self->terminal);
}

/* Find next and previous take Ctrl+G from the shell only while the user is searching. */
static void
on_search_mode_changed (TetherTerminalPage *self)
{
  gboolean searching = gtk_search_bar_get_search_mode (self->search_bar);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "term.find-next", searching);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "term.find-previous", searching);
}

static void
on_search_stop (TetherTerminalPage *self)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* ------------------------------------------------------------------------- */
/* GtkWidget                                                                 */

static void
tether_terminal_page_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static GtkSizeRequestMode
tether_terminal_page_get_request_mode (GtkWidget *widget)
{
  return gtk_widget_get_request_mode (TETHER_TERMINAL_PAGE (widget)->box);
}

static void
tether_terminal_page_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  gtk_widget_allocate (self->box, width, height, baseline, NULL);

  /* The terminal computed its rows and columns from its new allocation just now. */
  _tether_terminal_page_sync_size (self);
}

static gboolean
tether_terminal_page_grab_focus (GtkWidget *widget)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  return self->terminal != NULL && gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

static void
tether_terminal_page_map (GtkWidget *widget)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  GTK_WIDGET_CLASS (tether_terminal_page_parent_class)->map (widget);

  if (!self->started)
    _tether_terminal_page_open_shell (self);
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

/* The strip is a drawing area rather than CSS so that any colour the host file holds is drawn
 * as parsed, without building a style sheet from user text. */
static void
draw_accent (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (user_data);

  if (!self->has_accent)
    return;

  gdk_cairo_set_source_rgba (cr, &self->accent);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

static void
update_accent (TetherTerminalPage *self)
{
  const char *colour = tether_host_get_colour (self->host);

  self->has_accent = colour != NULL && gdk_rgba_parse (&self->accent, colour);
  gtk_widget_set_visible (GTK_WIDGET (self->accent_strip), self->has_accent);
  gtk_widget_queue_draw (GTK_WIDGET (self->accent_strip));
}

static void
tether_terminal_page_constructed (GObject *object)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  G_OBJECT_CLASS (tether_terminal_page_parent_class)->constructed (object);

  g_return_if_fail (self->session != NULL);

  self->host = g_object_ref (tether_host_session_get_host (self->session));
  /* The tab keeps its host's login while its shell has ended, for Reconnect to reuse. */
  tether_host_session_hold (self->session);
  self->holding = TRUE;
  g_ptr_array_add (_tether_terminal_page_session_pages (self->session), self);
  g_signal_connect_object (self->session, "notify",
                           G_CALLBACK (_tether_terminal_page_on_session_changed), self,
                           G_CONNECT_SWAPPED);

  update_accent (self);
  g_signal_connect_object (self->host, "notify::colour", G_CALLBACK (update_accent), self,
                           G_CONNECT_SWAPPED);
  /* The host's own palette, if it chose one, over the preference. */
  g_object_bind_property (self->host, "palette", self->terminal, "palette",
                          G_BINDING_SYNC_CREATE);

  update_title (self);
  _tether_terminal_page_update_state (self);
}

static void
tether_terminal_page_dispose (GObject *object)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  _tether_terminal_page_drop_shell (self);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  _tether_terminal_page_clear_feed (self);
  if (self->holding) {
    self->holding = FALSE;
    g_ptr_array_remove (_tether_terminal_page_session_pages (self->session), self);
    tether_host_session_release (self->session);
  }

  if (self->save_dialog != NULL) {
    gtk_native_dialog_destroy (self->save_dialog);
    g_clear_object (&self->save_dialog);
  }

  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_TERMINAL_PAGE);

  G_OBJECT_CLASS (tether_terminal_page_parent_class)->dispose (object);
}

static void
tether_terminal_page_finalize (GObject *object)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  g_clear_object (&self->session);
  g_clear_object (&self->host);
  g_clear_pointer (&self->early_input, g_byte_array_unref);
  g_free (self->title);
  g_free (self->custom_title);
  g_free (self->cwd);
  g_free (self->message);
  g_free (self->notice);
  g_free (self->tmux_session);
  g_free (self->exit_signal);

  G_OBJECT_CLASS (tether_terminal_page_parent_class)->finalize (object);
}

static void
tether_terminal_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;
  case PROP_HOST:
    g_value_set_object (value, self->host);
    break;
  case PROP_SHELL:
    g_value_set_object (value, self->shell);
    break;
  case PROP_CONNECTION:
    g_value_set_object (value, tether_terminal_page_get_connection (self));
    break;
  case PROP_TITLE:
    g_value_set_string (value, self->title);
    break;
  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;
  case PROP_CWD:
    g_value_set_string (value, self->cwd);
    break;
  case PROP_BELL:
    g_value_set_boolean (value, self->bell);
    break;
  case PROP_MESSAGE:
    g_value_set_string (value, self->message);
    break;
  case PROP_NOTICE:
    g_value_set_string (value, self->notice);
    break;
  case PROP_CUSTOM_TITLE:
    g_value_set_string (value, self->custom_title);
    break;
  case PROP_TMUX_SESSION:
    g_value_set_string (value, self->tmux_session);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_terminal_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;
  case PROP_BELL:
    tether_terminal_page_set_bell (self, g_value_get_boolean (value));
    break;
  case PROP_CUSTOM_TITLE:
    tether_terminal_page_set_custom_title (self, g_value_get_string (value));
    break;
  case PROP_TMUX_SESSION:
    tether_terminal_page_set_tmux_session (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_terminal_page_class_init (TetherTerminalPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tether_terminal_page_constructed;
  object_class->dispose = tether_terminal_page_dispose;
  object_class->finalize = tether_terminal_page_finalize;
  object_class->get_property = tether_terminal_page_get_property;
  object_class->set_property = tether_terminal_page_set_property;

  widget_class->measure = tether_terminal_page_measure;
  widget_class->get_request_mode = tether_terminal_page_get_request_mode;
  widget_class->size_allocate = tether_terminal_page_size_allocate;
  widget_class->grab_focus = tether_terminal_page_grab_focus;
  widget_class->map = tether_terminal_page_map;

  /**
   * TetherTerminalPage:session:
   *
   * The host session the page's shell rides on.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TETHER_TYPE_HOST_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherTerminalPage:host:
   *
   * The host whose shell the page shows: the session's.
   */
  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, TETHER_TYPE_HOST, ro);
  /**
   * TetherTerminalPage:shell:
   *
   * The shell the page shows, once it was asked for.
   */
  properties[PROP_SHELL] =
    g_param_spec_object ("shell", NULL, NULL, TETHER_TYPE_SHELL, ro);
  /**
   * TetherTerminalPage:connection:
   *
   * The host session's connection, or %NULL while it has none.
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, TETHER_TYPE_CONNECTION, ro);
  /**
   * TetherTerminalPage:title:
   *
   * The name the user gave the tab, else the title a remote program set (OSC 0 or 2), else
   * the host's label.
   */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, ro);
  /**
   * TetherTerminalPage:state:
   *
   * Whether the shell is starting, running or not.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_TERMINAL_STATE,
                       TETHER_TERMINAL_STATE_CONNECTING, ro);
  /**
   * TetherTerminalPage:cwd:
   *
   * The shell's working directory on the server, as the shell reports it (OSC 7), or %NULL.
   */
  properties[PROP_CWD] =
    g_param_spec_string ("cwd", NULL, NULL, NULL, ro);
  /**
   * TetherTerminalPage:bell:
   *
   * A program rang the bell while the user looked elsewhere; cleared when the terminal
   * gets the focus.
   */
  properties[PROP_BELL] =
    g_param_spec_boolean ("bell", NULL, NULL, FALSE, rw);
  /**
   * TetherTerminalPage:message:
   *
   * Why the shell is not running (what the banner says), or %NULL.
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL, ro);
  /**
   * TetherTerminalPage:notice:
   *
   * What the page told the user once (that the server has no tmux), or %NULL.
   */
  properties[PROP_NOTICE] =
    g_param_spec_string ("notice", NULL, NULL, NULL, ro);
  /**
   * TetherTerminalPage:custom-title:
   *
   * The name the user gave the tab, or %NULL: while set, it is the page's title whatever
   * remote programs set.
   */
  properties[PROP_CUSTOM_TITLE] =
    g_param_spec_string ("custom-title", NULL, NULL, NULL, rw);
  /**
   * TetherTerminalPage:tmux-session:
   *
   * The tmux session the shell runs in on the server (`tether-<tab id>`), when the host
   * keeps shells running; set it before the shell starts to re-attach to one.
   */
  properties[PROP_TMUX_SESSION] =
    g_param_spec_string ("tmux-session", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TETHER_TYPE_TERMINAL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/tether-terminal-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, box);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, accent_strip);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, banner);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, banner_label);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, regex_button);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, case_button);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, terminal);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, scrollbar);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_commit);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_title_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_cwd_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_bell);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_char_size_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_next_match);
  gtk_widget_class_bind_template_callback (widget_class, on_search_previous_match);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);

  gtk_widget_class_install_action (widget_class, "term.find", NULL, find_activated);
  gtk_widget_class_install_action (widget_class, "term.find-next", NULL, find_next_activated);
  gtk_widget_class_install_action (widget_class, "term.find-previous", NULL, find_next_activated);
  gtk_widget_class_install_action (widget_class, "term.save-contents", NULL,
                                   save_contents_activated);
  gtk_widget_class_install_action (widget_class, "host.reconnect", NULL, reconnect_activated);
}

static void
tether_terminal_page_init (TetherTerminalPage *self)
{
  GtkEventController *shortcuts;
  GtkEventController *focus;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->state = TETHER_TERMINAL_STATE_CONNECTING;
  self->early_input = g_byte_array_new ();
  _tether_terminal_page_init_feed (self);

  gtk_drawing_area_set_draw_func (self->accent_strip, draw_accent, self, NULL);
  gtk_scrollbar_set_adjustment (self->scrollbar,
                                gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->terminal)));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  vte_terminal_search_set_wrap_around (self->terminal, TRUE);
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled",
                           G_CALLBACK (on_search_mode_changed), self, G_CONNECT_SWAPPED);
  on_search_mode_changed (self);

  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  for (gsize i = 0; i < G_N_ELEMENTS (page_shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (
                                                              page_shortcuts[i].trigger),
                                                            gtk_named_action_new (
                                                              page_shortcuts[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "enter", G_CALLBACK (on_terminal_focus_enter), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->terminal), focus);
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

/**
 * tether_terminal_page_new:
 * @session: the host session to open a shell on
 *
 * The page asks @session for a shell once it is mapped or tether_terminal_page_start ()
 * is called. Take @session from the app's #TetherSessionManager, so that the tabs of a
 * host share its login.
 *
 * Returns: (transfer floating): a new terminal page
 */
TetherTerminalPage *
tether_terminal_page_new (TetherHostSession *session)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  return g_object_new (TETHER_TYPE_TERMINAL_PAGE, "session", session, NULL);
}

/**
 * tether_terminal_page_start:
 * @self: a terminal page
 *
 * Asks for the shell now rather than when the page is first shown. Does nothing once
 * started.
 */
void
tether_terminal_page_start (TetherTerminalPage *self)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));

  if (!self->started)
    _tether_terminal_page_open_shell (self);
}

/**
 * tether_terminal_page_reconnect:
 * @self: a terminal page
 *
 * Starts a new shell when the page's shell has ended (the host session logs in first when
 * it has to). A shell that is riding on its session comes back with the session instead:
 * host.reconnect reconnects that. What the old shell printed stays in the scrollback.
 */
void
tether_terminal_page_reconnect (TetherTerminalPage *self)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));

  if (self->shell != NULL && !_tether_terminal_page_shell_is_final (self->shell))
    return;

  if (self->shell != NULL)
    _tether_terminal_page_reset_terminal (self);
  _tether_terminal_page_open_shell (self);
}

/**
 * tether_terminal_page_get_session:
 * @self: a terminal page
 *
 * Returns: (transfer none): the page's host session
 */
TetherHostSession *
tether_terminal_page_get_session (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->session;
}

/**
 * tether_terminal_page_get_host:
 * @self: a terminal page
 *
 * Returns: (transfer none): the page's host
 */
TetherHost *
tether_terminal_page_get_host (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->host;
}

/**
 * tether_terminal_page_get_shell:
 * @self: a terminal page
 *
 * Returns: (transfer none) (nullable): the shell the page shows
 */
TetherShell *
tether_terminal_page_get_shell (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->shell;
}

/**
 * tether_terminal_page_get_connection:
 * @self: a terminal page
 *
 * Returns: (transfer none) (nullable): the connection of the host session
 */
TetherConnection *
tether_terminal_page_get_connection (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return tether_host_session_get_connection (self->session);
}

/**
 * tether_terminal_page_get_title:
 * @self: a terminal page
 *
 * Returns: the title for the page's tab
 */
const char *
tether_terminal_page_get_title (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->title;
}

/**
 * tether_terminal_page_get_state:
 * @self: a terminal page
 *
 * Returns: the state of the page's shell
 */
TetherTerminalState
tether_terminal_page_get_state (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), TETHER_TERMINAL_STATE_DISCONNECTED);

  return self->state;
}

/**
 * tether_terminal_page_get_cwd:
 * @self: a terminal page
 *
 * Returns: (nullable): the shell's working directory on the server, when it says
 */
const char *
tether_terminal_page_get_cwd (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->cwd;
}

/**
 * tether_terminal_page_get_bell:
 * @self: a terminal page
 *
 * Returns: whether the bell rang unseen
 */
gboolean
tether_terminal_page_get_bell (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), FALSE);

  return self->bell;
}

/**
 * tether_terminal_page_set_bell:
 * @self: a terminal page
 * @bell: whether the bell rang unseen
 */
void
tether_terminal_page_set_bell (TetherTerminalPage *self,
                               gboolean            bell)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));

  bell = !!bell;
  if (self->bell == bell)
    return;

  self->bell = bell;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BELL]);
}

/**
 * tether_terminal_page_get_message:
 * @self: a terminal page
 *
 * Returns: (nullable): why the shell is not running, as the banner says it
 */
const char *
tether_terminal_page_get_message (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->message;
}

/**
 * tether_terminal_page_get_notice:
 * @self: a terminal page
 *
 * Returns: (nullable): what the page told the user once, such as that the server has no tmux
 */
const char *
tether_terminal_page_get_notice (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->notice;
}

/**
 * tether_terminal_page_get_terminal:
 * @self: a terminal page
 *
 * Returns: (transfer none): the page's terminal widget, a #TetherTerminal
 */
VteTerminal *
tether_terminal_page_get_terminal (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->terminal;
}

/**
 * tether_terminal_page_get_custom_title:
 * @self: a terminal page
 *
 * Returns: (nullable): the name the user gave the tab
 */
const char *
tether_terminal_page_get_custom_title (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->custom_title;
}

/**
 * tether_terminal_page_set_custom_title:
 * @self: a terminal page
 * @title: (nullable): the tab's name; %NULL or "" to follow the terminal's title again
 */
void
tether_terminal_page_set_custom_title (TetherTerminalPage *self,
                                       const char         *title)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));

  if (title != NULL && *title == '\0')
    title = NULL;
  if (g_strcmp0 (self->custom_title, title) == 0)
    return;

  g_free (self->custom_title);
  self->custom_title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CUSTOM_TITLE]);
  update_title (self);
}

/**
 * tether_terminal_page_get_tmux_session:
 * @self: a terminal page
 *
 * Returns: (nullable): the name of the tmux session the page's shell runs in
 */
const char *
tether_terminal_page_get_tmux_session (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->tmux_session;
}

/**
 * tether_terminal_page_set_tmux_session:
 * @self: a terminal page whose shell has not started
 * @name: (nullable): the tmux session to run (or re-attach) the shell in
 */
void
tether_terminal_page_set_tmux_session (TetherTerminalPage *self,
                                       const char         *name)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));
  g_return_if_fail (!self->started);

  if (name != NULL && *name == '\0')
    name = NULL;
  if (g_strcmp0 (self->tmux_session, name) == 0)
    return;

  g_free (self->tmux_session);
  self->tmux_session = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TMUX_SESSION]);
}

/**
 * tether_terminal_page_send_input:
 * @self: a terminal page
 * @data: (array length=length) (element-type guint8): bytes for the shell
 * @length: the length of @data, or -1 when it is a NUL-terminated string
 *
 * Sends @data to the shell as if it had been typed into this terminal (broadcast input
 * does this), after what was typed before. Input while the shell is not running is
 * dropped, and input while it starts waits for it.
 */
void
tether_terminal_page_send_input (TetherTerminalPage *self,
                                 const char         *data,
                                 gssize              length)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));
  g_return_if_fail (data != NULL || length == 0);

  if (self->state == TETHER_TERMINAL_STATE_DISCONNECTED)
    return;

  if (length < 0)
    length = strlen (data);
  if (self->shell == NULL) {
    g_byte_array_append (self->early_input, (const guint8 *) data, length);
    return;
  }

  bytes = g_bytes_new (data, length);
  tether_shell_write (self->shell, bytes);
}

/**
 * tether_terminal_page_get_accent:
 * @self: a terminal page
 * @out: (out caller-allocates) (optional): where to store the accent colour
 *
 * Returns: whether the page shows its host's colour as an accent strip
 */
gboolean
tether_terminal_page_get_accent (TetherTerminalPage *self,
                                 GdkRGBA            *out)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), FALSE);

  if (self->has_accent && out != NULL)
    *out = self->accent;

  return self->has_accent;
}
