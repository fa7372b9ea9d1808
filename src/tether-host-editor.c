/* tether-host-editor.c: the window that adds a saved host or edits one.
 *
 * The rows hold the state; Save builds a TetherHost from them (a copy of the edited host, so
 * that what the store does not know stays as it was) and hands it to the store, which writes
 * the hosts file. Every change re-validates the rows: an invalid row gets the "error" style and
 * a warning icon whose tooltip says what is wrong, and editor.save is disabled until all rows
 * are valid. A failed save is shown in a banner at the top, with the store's message. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-application.h"
#include "tether-host-editor.h"
#include "tether-palette.h"

/* Ports are 16 bits; 0 means "any", which a forward or a server cannot use. */
#define MAX_PORT 65535

/* The colours a host can be marked with: GNOME's palette, so that the accent fits the desktop.
 * The first entry, without a colour, clears the host's colour. */
typedef struct {
  const char *name;             /* widget name, stable for CSS and tests */
  const char *colour;           /* as stored in the hosts file; NULL for none */
  const char *label;            /* N_() */
} ColourPreset;

static const ColourPreset colour_presets[] = {
  { "colour-none", NULL, N_("No Colour") },
  { "colour-blue", "#3584e4", N_("Blue") },
  { "colour-green", "#33d17a", N_("Green") },
  { "colour-yellow", "#f6d32d", N_("Yellow") },
  { "colour-orange", "#ff7800", N_("Orange") },
  { "colour-red", "#e01b24", N_("Red") },
  { "colour-purple", "#9141ac", N_("Purple") },
};

/* The swatches are small round buttons; the size is in CSS pixels. */
#define SWATCH_CSS \
  "button { min-width: 20px; min-height: 20px; padding: 0; border-radius: 9999px; }"
#define SWATCH_COLOUR_CSS "button, button:checked { background: %s; }"
#define SWATCH_CHECKED_CSS "button:checked { box-shadow: inset 0 0 0 2px currentColor; }"

/* Where private keys usually are: the file chooser starts there. */
#define SSH_DIR_NAME ".ssh"

struct _TetherHostEditor
{
  AdwWindow parent_instance;

  TetherHostStore *store;
  TetherHost *host;             /* NULL for a new host */
  char *key_file;
  GListStore *jump_hosts;       /* GtkStringObject; item 0 is "None" */
  GPtrArray *forward_rows;      /* AdwEntryRow */
  GtkFileChooserNative *chooser;
  gboolean valid;
  gboolean had_password;        /* the keyring held one when the editor opened */
  gboolean hostname_touched;    /* a new, empty form does not start with an error */
  gboolean saving;              /* the store is writing the host */

  /* Template children */
  AdwToastOverlay *toast_overlay;
  GtkButton *save_button;
  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  AdwEntryRow *label_row;
  AdwEntryRow *hostname_row;
  AdwActionRow *port_row;
  GtkSpinButton *port_spin;
  AdwEntryRow *user_row;
  AdwEntryRow *group_row;
  GtkBox *colour_box;
  GtkToggleButton *colour_buttons[G_N_ELEMENTS (colour_presets)];
  AdwComboRow *auth_row;
  AdwActionRow *key_file_row;
  AdwActionRow *remember_row;
  GtkSwitch *remember_switch;
  GtkSwitch *keep_shells_switch;
  AdwComboRow *palette_row;
  char *unknown_palette;   /* a palette word of a newer Tether, kept as it was */
  AdwPasswordEntryRow *password_row;
  AdwComboRow *jump_row;
  AdwExpanderRow *forwards_row;
};

G_DEFINE_FINAL_TYPE (TetherHostEditor, tether_host_editor, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Each validated row has a warning icon as suffix, kept in its object data. */
#define ROW_ERROR_ICON_KEY "tether-error-icon"

static void validate (TetherHostEditor *self);

static void
add_error_icon (GtkWidget *row)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_set_visible (icon, FALSE);
  gtk_widget_add_css_class (icon, "error");
  if (ADW_IS_ENTRY_ROW (row))
    adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), icon);
  else
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
  g_object_set_data (G_OBJECT (row), ROW_ERROR_ICON_KEY, icon);
}

/* Marks @row invalid with @message, or valid when @message is NULL; returns whether valid. */
static gboolean
set_row_error (gpointer    row,
               const char *message)
{
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), ROW_ERROR_ICON_KEY);

  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), message);
  if (icon != NULL) {
    gtk_widget_set_visible (icon, message != NULL);
    gtk_widget_set_tooltip_text (icon, message);
  }
  if (message != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);

  return message == NULL;
}

static const char *
row_text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* Returns a copy of @text without leading and trailing white space, or NULL when empty. */
static char *
dup_stripped (const char *text)
{
  char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (*stripped == '\0')
    g_clear_pointer (&stripped, g_free);

  return stripped;
}

static gboolean
has_space (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
    if (g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;
  }

  return FALSE;
}

/* What ssh_config would read as a quote or a comment, or a shell as more than one word. */
static gboolean
has_special (const char *text)
{
  return has_space (text) || strpbrk (text, "\"'#\\") != NULL;
}

/* Returns @spec as ssh_config writes a LocalForward, or NULL with @message (to be freed) saying
 * what is wrong. The core's parser takes ssh_config's form, "[bind_address:]port host:hostport",
 * and `ssh -L`'s, "[bind_address:]port:host:hostport"; addresses may be in brackets. */
static char *
normalize_local_forward (const char  *spec,
                         char       **message)
{
  g_autoptr(TetherForwardSpec) forward = NULL;
  g_autoptr(GError) error = NULL;

  forward = tether_forward_spec_parse (TETHER_FORWARD_KIND_LOCAL, spec, &error);
  if (forward == NULL) {
    *message = g_strdup (error->message);
    return NULL;
  }

  *message = NULL;
  return tether_forward_spec_to_string (forward);
}

/* PreferredAuthentications for a host that logs in with a password. */
static const char * const password_methods[] = { "password", "keyboard-interactive", NULL };

/* Whether @host's PreferredAuthentications puts a password first. */
static gboolean
prefers_password (TetherHost *host)
{
  const char * const *methods = tether_host_get_preferred_authentications (host);

  return methods != NULL && methods[0] != NULL &&
         (g_str_equal (methods[0], "password") ||
          g_str_equal (methods[0], "keyboard-interactive"));
}

static TetherHostAuth
get_auth (TetherHostEditor *self)
{
  return adw_combo_row_get_selected (self->auth_row);
}

static void
validate (TetherHostEditor *self)
{
  g_autofree char *hostname = dup_stripped (row_text (self->hostname_row));
  const char *user = row_text (self->user_row);
  const char *label = row_text (self->label_row);
  double port = gtk_spin_button_get_value (self->port_spin);
  TetherHostAuth auth = get_auth (self);
  gboolean valid = TRUE;

  if (hostname == NULL) {
    /* Required; but a new form does not open with an error, only with Save off. */
    set_row_error (self->hostname_row,
                   self->hostname_touched ? _("A host name or address is required") : NULL);
    valid = FALSE;
  } else if (has_special (hostname)) {
    valid &= set_row_error (self->hostname_row,
                            _("Host names cannot contain spaces, quotes or “#”"));
  } else {
    valid &= set_row_error (self->hostname_row, NULL);
  }

  /* The name becomes a `Host` pattern line's comment only, but newlines would break the file. */
  valid &= set_row_error (self->label_row,
                          strchr (label, '\n') != NULL ?
                            _("Names cannot contain line breaks") : NULL);

  valid &= set_row_error (self->user_row,
                          has_special (user) ?
                            _("User names cannot contain spaces, quotes or “#”") : NULL);

  valid &= set_row_error (self->port_row,
                          port < 1 || port > MAX_PORT ?
                            _("Ports are numbers from 1 to 65535") : NULL);

  valid &= set_row_error (self->key_file_row,
                          auth == TETHER_HOST_AUTH_KEY_FILE && self->key_file == NULL ?
                            _("Choose a private key file") : NULL);

  for (guint i = 0; i < self->forward_rows->len; i++) {
    gpointer row = g_ptr_array_index (self->forward_rows, i);
    g_autofree char *spec = dup_stripped (row_text (row));
    g_autofree char *message = NULL;
    g_autofree char *normalized = spec != NULL ? normalize_local_forward (spec, &message) : NULL;

    valid &= set_row_error (row, message);
  }

  self->valid = valid;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", valid && !self->saving);
}

static void
update_auth_rows (TetherHostEditor *self)
{
  TetherHostAuth auth = get_auth (self);
  gboolean password = auth == TETHER_HOST_AUTH_PASSWORD;

  gtk_widget_set_visible (GTK_WIDGET (self->key_file_row), auth == TETHER_HOST_AUTH_KEY_FILE);
  gtk_widget_set_visible (GTK_WIDGET (self->remember_row), password);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row),
                          password && gtk_switch_get_active (self->remember_switch));
}

static void
on_changed (TetherHostEditor *self)
{
  update_auth_rows (self);
  validate (self);
}

static void
on_hostname_changed (TetherHostEditor *self)
{
  self->hostname_touched = TRUE;
}

static void
show_error (TetherHostEditor *self,
            const char       *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

/**
 * tether_host_editor_set_key_file:
 * @self: an editor
 * @path: (nullable): the private key file, as if chosen in the file chooser
 */
void
tether_host_editor_set_key_file (TetherHostEditor *self,
                                 const char       *path)
{
  g_return_if_fail (TETHER_IS_HOST_EDITOR (self));

  g_free (self->key_file);
  self->key_file = dup_stripped (path);
  adw_action_row_set_subtitle (self->key_file_row,
                               self->key_file != NULL ? self->key_file : _("None"));
  validate (self);
}

static void
on_chooser_response (GtkNativeDialog  *chooser,
                     int               response,
                     TetherHostEditor *self)
{
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
    g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

    if (path != NULL)
      tether_host_editor_set_key_file (self, path);
  }

  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
choose_key_file_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  TetherHostEditor *self = TETHER_HOST_EDITOR (widget);
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), SSH_DIR_NAME, NULL);
  g_autoptr(GFile) folder = NULL;

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose a Private Key"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (self->key_file != NULL) {
    g_autoptr(GFile) file = g_file_new_for_path (self->key_file);

    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), file, NULL);
  } else if (g_file_test (ssh_dir, G_FILE_TEST_IS_DIR)) {
    folder = g_file_new_for_path (ssh_dir);
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
  }
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self,
                           G_CONNECT_DEFAULT);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_remove_forward_clicked (GtkButton *button,
                           GtkWidget *row)
{
  TetherHostEditor *self = TETHER_HOST_EDITOR (gtk_widget_get_root (GTK_WIDGET (button)));

  g_ptr_array_remove (self->forward_rows, row);
  adw_expander_row_remove (self->forwards_row, row);
  validate (self);
}

static AdwEntryRow *
add_forward_row (TetherHostEditor *self,
                 const char       *spec)
{
  GtkWidget *row = adw_entry_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Local Forward"));
  gtk_editable_set_text (GTK_EDITABLE (row), spec != NULL ? spec : "");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove Forward"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove Forward"), -1);
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_forward_clicked), row,
                           G_CONNECT_DEFAULT);
  add_error_icon (row);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
  g_signal_connect_object (row, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);

  adw_expander_row_add_row (self->forwards_row, row);
  g_ptr_array_add (self->forward_rows, row);

  return ADW_ENTRY_ROW (row);
}

static void
add_forward_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TetherHostEditor *self = TETHER_HOST_EDITOR (widget);
  AdwEntryRow *row = add_forward_row (self, NULL);

  adw_expander_row_set_expanded (self->forwards_row, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (row));
  validate (self);
}

/* The jump host of a new or edited host: NULL for none. */
static const char *
get_jump_host (TetherHostEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->jump_row);
  g_autoptr(GtkStringObject) item = NULL;

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return NULL;

  item = g_list_model_get_item (G_LIST_MODEL (self->jump_hosts), selected);
  /* The string outlives the item: the list store keeps it. */
  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static char **
collect_forwards (TetherHostEditor *self)
{
  GPtrArray *forwards = g_ptr_array_new ();

  for (guint i = 0; i < self->forward_rows->len; i++) {
    g_autofree char *spec = dup_stripped (row_text (g_ptr_array_index (self->forward_rows, i)));
    g_autofree char *message = NULL;
    char *normalized = spec != NULL ? normalize_local_forward (spec, &message) : NULL;

    if (normalized != NULL)
      g_ptr_array_add (forwards, normalized);
  }
  g_ptr_array_add (forwards, NULL);

  return (char **) g_ptr_array_free (forwards, FALSE);
}

static gboolean
alias_exists (TetherHostStore *store,
              const char      *alias)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n_items; i++) {
    g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (store), i);

    if (g_strcmp0 (tether_host_get_alias (host), alias) == 0)
      return TRUE;
  }

  return FALSE;
}

/* A `Host` name for a new host, from its label or host name: ssh_config splits names on
 * what is not a letter, digit, dot or dash, and a name must be new (also in ~/.ssh/config,
 * which it would otherwise shadow or be shadowed by). */
static char *
dup_new_alias (TetherHostStore *store,
               const char      *label,
               const char      *hostname)
{
  const char *source = label != NULL ? label : hostname;
  g_autoptr(GString) alias = g_string_new (NULL);
  g_autofree char *base = NULL;

  for (const char *p = source; *p != '\0'; p++) {
    gboolean keep = g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == '_';

    if (keep)
      g_string_append_c (alias, g_ascii_tolower (*p));
    else if (alias->len > 0 && alias->str[alias->len - 1] != '-')
      g_string_append_c (alias, '-');
  }
  while (alias->len > 0 && alias->str[alias->len - 1] == '-')
    g_string_truncate (alias, alias->len - 1);
  if (alias->len == 0)
    g_string_append (alias, hostname);

  base = g_strdup (alias->str);
  for (guint n = 2; alias_exists (store, alias->str); n++)
    g_string_printf (alias, "%s-%u", base, n);

  return g_string_free (g_steal_pointer (&alias), FALSE);
}

/* Returns the preset whose button is active, or NULL when none is: the host has a colour of its
 * own from the hosts file, which saving keeps. */
static const ColourPreset *
get_colour_preset (TetherHostEditor *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (colour_presets); i++) {
    if (gtk_toggle_button_get_active (self->colour_buttons[i]))
      return &colour_presets[i];
  }

  return NULL;
}

/* The palette row: first "the preference" (no word saved), then the palettes in their order. */
static void
fill_palettes (TetherHostEditor *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  gtk_string_list_append (names, _("Same as Preferences"));
  for (guint i = 0; i < tether_palette_get_n_choices (); i++)
    gtk_string_list_append (names, _(tether_palette_get_choice (i)->name));
  adw_combo_row_set_model (self->palette_row, G_LIST_MODEL (names));
}

static void
select_palette (TetherHostEditor *self,
                const char       *palette)
{
  int position = tether_palette_find_choice (palette);

  adw_combo_row_set_selected (self->palette_row, position + 1);
  g_clear_pointer (&self->unknown_palette, g_free);
  if (position < 0 && palette != NULL)
    self->unknown_palette = g_strdup (palette);
}

/* A palette chosen here replaces a word this Tether did not know. */
static void
on_palette_selected (TetherHostEditor *self)
{
  g_clear_pointer (&self->unknown_palette, g_free);
}

static const char *
get_palette (TetherHostEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->palette_row);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return self->unknown_palette;
  return tether_palette_get_choice (selected - 1)->id;
}

static void
add_colour_buttons (TetherHostEditor *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (colour_presets); i++) {
    const ColourPreset *preset = &colour_presets[i];
    GtkWidget *button = gtk_toggle_button_new ();
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
    g_autofree char *css = NULL;

    if (preset->colour != NULL) {
      g_autofree char *colour_css = g_strdup_printf (SWATCH_COLOUR_CSS, preset->colour);

      css = g_strconcat (SWATCH_CSS, colour_css, SWATCH_CHECKED_CSS, NULL);
    } else {
      /* "None" keeps the theme's button look, with an icon that says "nothing". */
      gtk_button_set_icon_name (GTK_BUTTON (button), "action-unavailable-symbolic");
      css = g_strconcat (SWATCH_CSS, SWATCH_CHECKED_CSS, NULL);
    }
    gtk_css_provider_load_from_data (provider, css, -1);
    gtk_style_context_add_provider (gtk_widget_get_style_context (button),
                                    GTK_STYLE_PROVIDER (provider),
                                    GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

    gtk_widget_set_name (button, preset->name);
    gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
    gtk_widget_set_tooltip_text (button, _(preset->label));
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _(preset->label), -1);
    if (i > 0)
      gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), self->colour_buttons[0]);
    gtk_box_append (self->colour_box, button);
    self->colour_buttons[i] = GTK_TOGGLE_BUTTON (button);
  }
}

static void
select_colour (TetherHostEditor *self,
               const char       *colour)
{
  for (guint i = 0; i < G_N_ELEMENTS (colour_presets); i++) {
    const char *preset = colour_presets[i].colour;

    if ((preset == NULL && colour == NULL) ||
        (preset != NULL && colour != NULL && g_ascii_strcasecmp (preset, colour) == 0)) {
      gtk_toggle_button_set_active (self->colour_buttons[i], TRUE);
      return;
    }
  }
  /* A colour from elsewhere selects no swatch, so that saving keeps it. */
}

static TetherHost *
build_host (TetherHostEditor *self)
{
  const ColourPreset *colour = get_colour_preset (self);
  g_autofree char *label = dup_stripped (row_text (self->label_row));
  g_autofree char *hostname = dup_stripped (row_text (self->hostname_row));
  g_autofree char *user = dup_stripped (row_text (self->user_row));
  g_autofree char *group = dup_stripped (row_text (self->group_row));
  g_auto(GStrv) forwards = collect_forwards (self);
  TetherHostAuth auth = get_auth (self);
  TetherHost *host;

  if (self->host != NULL) {
    host = tether_host_copy (self->host);
  } else {
    g_autofree char *alias = dup_new_alias (self->store, label, hostname);

    host = tether_host_new (alias);
    tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);
  }

  tether_host_set_label (host, label);
  tether_host_set_hostname (host, hostname);
  tether_host_set_port (host, gtk_spin_button_get_value_as_int (self->port_spin));
  tether_host_set_user (host, user);
  tether_host_set_group (host, group);
  tether_host_set_proxy_jump (host, get_jump_host (self));
  tether_host_set_local_forwards (host, (const char * const *) forwards);
  if (colour != NULL)
    tether_host_set_colour (host, colour->colour);
  tether_host_set_keep_shells (host, gtk_switch_get_active (self->keep_shells_switch));
  tether_host_set_palette (host, get_palette (self));

  switch (auth) {
  case TETHER_HOST_AUTH_KEY_FILE: {
    const char * const files[] = { self->key_file, NULL };

    tether_host_set_identity_files (host, files);
    tether_host_set_identities_only (host, TRUE);
    break;
  }
  case TETHER_HOST_AUTH_PASSWORD:
  case TETHER_HOST_AUTH_AGENT:
  default:
    tether_host_set_identity_files (host, NULL);
    tether_host_set_identities_only (host, FALSE);
    break;
  }

  /* "Password" is kept in the hosts file as OpenSSH's own word for it (plain ssh asks for
   * the password first too); the password itself only ever goes to the keyring. An order
   * the user wrote by hand stays unless the editor's own choice replaces it. */
  if (auth == TETHER_HOST_AUTH_PASSWORD)
    tether_host_set_preferred_authentications (host, password_methods);
  else if (prefers_password (host))
    tether_host_set_preferred_authentications (host, NULL);

  return host;
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The host is saved already; a keyring that is locked or absent only costs a prompt later. */
  if (!tether_secrets_store_finish (result, &error))
    g_warning ("Could not keep the password in the keyring: %s", error->message);
}

static void
on_secret_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tether_secrets_clear_finish (result, &error))
    g_warning ("Could not remove the password from the keyring: %s", error->message);
}

static void
save_secret (TetherHostEditor *self,
             TetherHost       *host)
{
  const char *id = tether_host_get_id (host);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  gboolean remember = get_auth (self) == TETHER_HOST_AUTH_PASSWORD &&
                      gtk_switch_get_active (self->remember_switch);

  if (id == NULL)
    return;

  if (remember && *password != '\0') {
    g_autofree char *destination = tether_host_dup_destination (host);
    /* Translators: %s is user@host */
    g_autofree char *label = g_strdup_printf (_("SSH password for %s"), destination);

    tether_secrets_store_async (id, TETHER_SECRET_KIND_PASSWORD, NULL, password, label, NULL,
                                on_secret_stored, NULL);
  } else if (!remember && self->had_password) {
    /* Turning "Remember" off forgets what was remembered. */
    tether_secrets_clear_async (id, NULL, on_secret_cleared, NULL);
  }
}

typedef struct {
  TetherHostEditor *editor;
  TetherHost *host;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_object_unref (data->editor);
  g_object_unref (data->host);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveData, save_data_free)

/* The open tabs of @host draw with its session's host, resolved as ssh -G would when the
 * session began, not with the store's: they take the palette and colour just saved from it,
 * so that they change at once. The rest waits for the next login. */
static void
update_open_session (TetherHostEditor *self,
                     TetherHost       *host)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;
  TetherHostSession *session;
  TetherHost *session_host;

  if (!TETHER_IS_APPLICATION (app))
    return;
  session = tether_session_manager_lookup (
    tether_application_get_session_manager (TETHER_APPLICATION (app)), host);
  if (session == NULL)
    return;
  session_host = tether_host_session_get_host (session);
  tether_host_set_palette (session_host, tether_host_get_palette (host));
  tether_host_set_colour (session_host, tether_host_get_colour (host));
}

/* The editor stays open with what the user typed when the host could not be
 * saved (a full disk, say): the message says why and Save can be tried again. */
static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SaveData) data = user_data;
  TetherHostEditor *self = data->editor;
  g_autoptr(GError) error = NULL;
  TetherHostStore *store = TETHER_HOST_STORE (source);
  gboolean saved;

  if (self->host != NULL)
    saved = tether_host_store_update_finish (store, result, &error);
  else
    saved = tether_host_store_add_finish (store, result, &error);
  self->saving = FALSE;
  validate (self);

  if (!saved) {
    show_error (self, error->message);
    return;
  }

  save_secret (self, data->host);
  update_open_session (self, data->host);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, data->host);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TetherHostEditor *self = TETHER_HOST_EDITOR (widget);
  SaveData *data;

  self->hostname_touched = TRUE;
  validate (self);
  if (!self->valid || self->saving)
    return;

  data = g_new0 (SaveData, 1);
  data->editor = g_object_ref (self);
  data->host = build_host (self);
  self->saving = TRUE;
  validate (self);
  show_error (self, NULL);
  if (self->host != NULL)
    tether_host_store_update_async (self->store, data->host, NULL, on_saved, data);
  else
    tether_host_store_add_async (self->store, data->host, NULL, on_saved, data);
}

static const char *
host_id_or_alias (TetherHost *host)
{
  const char *id = tether_host_get_id (host);

  return id != NULL ? id : tether_host_get_alias (host);
}

static void
fill_jump_hosts (TetherHostEditor *self)
{
  g_autoptr(GtkStringObject) none = gtk_string_object_new (_("None"));
  const char *current = self->host != NULL ? tether_host_get_proxy_jump (self->host) : NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint selected = 0;
  guint n_items;

  g_list_store_append (self->jump_hosts, none);

  /* Jump hosts are named by alias: that is what ProxyJump means to ssh too. */
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n_items; i++) {
    g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (self->store), i);
    const char *alias = tether_host_get_alias (host);

    if (alias == NULL || (self->host != NULL && g_strcmp0 (host_id_or_alias (host),
                                                           host_id_or_alias (self->host)) == 0))
      continue;
    g_ptr_array_add (names, (gpointer) alias);
  }

  /* A jump host written by hand ("user@bastion:2222") stays what it was. */
  if (current != NULL && !g_ptr_array_find_with_equal_func (names, current, g_str_equal, NULL))
    g_ptr_array_add (names, (gpointer) current);

  for (guint i = 0; i < names->len; i++) {
    g_autoptr(GtkStringObject) item = gtk_string_object_new (g_ptr_array_index (names, i));

    g_list_store_append (self->jump_hosts, item);
    if (g_strcmp0 (current, g_ptr_array_index (names, i)) == 0)
      selected = i + 1;
  }

  adw_combo_row_set_model (self->jump_row, G_LIST_MODEL (self->jump_hosts));
  adw_combo_row_set_selected (self->jump_row, selected);
}

static void
on_secret_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TetherHostEditor) self = user_data;
  g_autofree char *password = tether_secrets_lookup_finish (result, NULL);

  if (password == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  /* A remembered password means the host logs in with one. */
  self->had_password = TRUE;
  adw_combo_row_set_selected (self->auth_row, TETHER_HOST_AUTH_PASSWORD);
  gtk_switch_set_active (self->remember_switch, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

static void
fill_from_host (TetherHostEditor *self)
{
  TetherHost *host = self->host;
  const char * const *identity_files;
  const char * const *forwards;

  gtk_spin_button_set_value (self->port_spin, TETHER_DEFAULT_PORT);
  select_colour (self, host != NULL ? tether_host_get_colour (host) : NULL);
  if (host == NULL)
    return;

  gtk_window_set_title (GTK_WINDOW (self), _("Edit Host"));
  gtk_editable_set_text (GTK_EDITABLE (self->label_row),
                         tether_host_get_label (host) != NULL ? tether_host_get_label (host) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->hostname_row),
                         tether_host_get_hostname (host) != NULL ?
                           tether_host_get_hostname (host) : "");
  if (tether_host_get_port (host) != 0)
    gtk_spin_button_set_value (self->port_spin, tether_host_get_port (host));
  gtk_editable_set_text (GTK_EDITABLE (self->user_row),
                         tether_host_get_user (host) != NULL ? tether_host_get_user (host) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->group_row),
                         tether_host_get_group (host) != NULL ? tether_host_get_group (host) : "");
  gtk_switch_set_active (self->keep_shells_switch, tether_host_get_keep_shells (host));
  select_palette (self, tether_host_get_palette (host));

  identity_files = tether_host_get_identity_files (host);
  if (identity_files != NULL && identity_files[0] != NULL) {
    adw_combo_row_set_selected (self->auth_row, TETHER_HOST_AUTH_KEY_FILE);
    tether_host_editor_set_key_file (self, identity_files[0]);
  }
  else if (prefers_password (host))
    adw_combo_row_set_selected (self->auth_row, TETHER_HOST_AUTH_PASSWORD);

  forwards = tether_host_get_local_forwards (host);
  for (guint i = 0; forwards != NULL && forwards[i] != NULL; i++)
    add_forward_row (self, forwards[i]);

  if (tether_host_get_id (host) != NULL)
    tether_secrets_lookup_async (tether_host_get_id (host), TETHER_SECRET_KIND_PASSWORD, NULL,
                                 NULL, on_secret_looked_up, g_object_ref (self));
}

static void
tether_host_editor_dispose (GObject *object)
{
  TetherHostEditor *self = TETHER_HOST_EDITOR (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_HOST_EDITOR);
  g_clear_object (&self->store);
  g_clear_object (&self->host);
  g_clear_object (&self->jump_hosts);

  G_OBJECT_CLASS (tether_host_editor_parent_class)->dispose (object);
}

static void
tether_host_editor_finalize (GObject *object)
{
  TetherHostEditor *self = TETHER_HOST_EDITOR (object);

  g_clear_pointer (&self->key_file, g_free);
  g_clear_pointer (&self->unknown_palette, g_free);
  g_clear_pointer (&self->forward_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (tether_host_editor_parent_class)->finalize (object);
}

static void
tether_host_editor_class_init (TetherHostEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tether_host_editor_dispose;
  object_class->finalize = tether_host_editor_finalize;

  /**
   * TetherHostEditor::saved:
   * @self: the editor
   * @host: the host as saved
   *
   * The host was written to the store; the editor closes next.
   */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TETHER_TYPE_HOST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/tether-host-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, label_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, hostname_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, port_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, port_spin);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, user_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, group_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, colour_box);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, auth_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, key_file_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, remember_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, remember_switch);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, keep_shells_switch);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, palette_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, password_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, jump_row);
  gtk_widget_class_bind_template_child (widget_class, TetherHostEditor, forwards_row);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "editor.choose-key-file", NULL,
                                   choose_key_file_activated);
  gtk_widget_class_install_action (widget_class, "editor.add-forward", NULL,
                                   add_forward_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "editor.save", NULL);
}

static void
tether_host_editor_init (TetherHostEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->forward_rows = g_ptr_array_new ();
  self->jump_hosts = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  add_colour_buttons (self);
  fill_palettes (self);

  add_error_icon (GTK_WIDGET (self->label_row));
  add_error_icon (GTK_WIDGET (self->hostname_row));
  add_error_icon (GTK_WIDGET (self->user_row));
  add_error_icon (GTK_WIDGET (self->port_row));
  add_error_icon (GTK_WIDGET (self->key_file_row));

  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));
}

static void
connect_rows (TetherHostEditor *self)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->label_row),
    GTK_WIDGET (self->hostname_row),
    GTK_WIDGET (self->user_row),
    GTK_WIDGET (self->group_row),
    GTK_WIDGET (self->port_spin),
  };

  g_signal_connect_object (self->hostname_row, "changed", G_CALLBACK (on_hostname_changed), self,
                           G_CONNECT_SWAPPED);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_signal_connect_object (rows[i], "changed", G_CALLBACK (on_changed), self,
                             G_CONNECT_SWAPPED);
  g_signal_connect_object (self->port_spin, "value-changed", G_CALLBACK (on_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->auth_row, "notify::selected", G_CALLBACK (on_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->remember_switch, "notify::active", G_CALLBACK (on_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->palette_row, "notify::selected",
                           G_CALLBACK (on_palette_selected), self, G_CONNECT_SWAPPED);
}

/* GTK 4.8's destroy-with-parent leaves the child pointing at its dead parent, which crashes
 * whoever releases the child last: let go of the parent, then close. */
static void
on_parent_destroyed (GtkWindow        *parent,
                     TetherHostEditor *self)
{
  gtk_window_set_transient_for (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

/**
 * tether_host_editor_new:
 * @parent: (nullable): the window the editor belongs to
 * @store: where the host is saved
 * @host: (nullable): the host to edit, or %NULL to add a new one
 *
 * Returns: (transfer none): a new editor; present it. It closes itself once saved.
 */
TetherHostEditor *
tether_host_editor_new (GtkWindow       *parent,
                        TetherHostStore *store,
                        TetherHost      *host)
{
  TetherHostEditor *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TETHER_IS_HOST_STORE (store), NULL);
  g_return_val_if_fail (host == NULL || TETHER_IS_HOST (host), NULL);

  self = g_object_new (TETHER_TYPE_HOST_EDITOR, "transient-for", parent, NULL);
  if (parent != NULL)
    g_signal_connect_object (parent, "destroy", G_CALLBACK (on_parent_destroyed), self,
                             G_CONNECT_DEFAULT);
  self->store = g_object_ref (store);
  g_set_object (&self->host, host);

  fill_from_host (self);
  fill_jump_hosts (self);
  connect_rows (self);
  update_auth_rows (self);
  validate (self);

  gtk_widget_grab_focus (GTK_WIDGET (self->label_row));

  return self;
}

/**
 * tether_host_editor_get_host:
 * @self: an editor
 *
 * Returns: (transfer none) (nullable): the host being edited, %NULL for a new host
 */
TetherHost *
tether_host_editor_get_host (TetherHostEditor *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_EDITOR (self), NULL);

  return self->host;
}

/**
 * tether_host_editor_get_store:
 * @self: an editor
 *
 * Returns: (transfer none): where the host is saved
 */
TetherHostStore *
tether_host_editor_get_store (TetherHostEditor *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_EDITOR (self), NULL);

  return self->store;
}

/**
 * tether_host_editor_is_valid:
 * @self: an editor
 *
 * Returns: whether every row holds a value that can be saved
 */
gboolean
tether_host_editor_is_valid (TetherHostEditor *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_EDITOR (self), FALSE);

  return self->valid;
}
