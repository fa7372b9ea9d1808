/* tether-preferences-window.c: the Preferences window. Every row is bound to a GSettings key
 * with g_settings_bind, so the window has no state of its own: changes apply at once and show
 * up in every open window. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-palette.h"
#include "tether-preferences-window.h"

struct _TetherPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;

  /* Template children */
  GtkSwitch *use_system_font_switch;
  AdwActionRow *font_row;
  GtkFontButton *font_button;
  AdwComboRow *color_scheme_row;
  AdwComboRow *palette_row;
  GtkSpinButton *scrollback_spin;
  GtkSwitch *confirm_paste_switch;
  GtkSwitch *audible_bell_switch;
  GtkSwitch *auto_reconnect_switch;
  GtkSwitch *restore_windows_switch;
  GtkSpinButton *keepalive_spin;
};

G_DEFINE_FINAL_TYPE (TetherPreferencesWindow, tether_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

/* The values of the color-scheme key, in the order of the combo row's items. */
static const char * const color_scheme_nicks[] = { "system", "light", "dark" };

static gboolean
color_scheme_get_mapping (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (color_scheme_nicks); i++) {
    if (g_str_equal (nick, color_scheme_nicks[i])) {
      g_value_set_uint (value, i);
      return TRUE;
    }
  }

  return FALSE;
}

static GVariant *
color_scheme_set_mapping (const GValue       *value,
                          const GVariantType *expected_type,
                          gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (color_scheme_nicks))
    return NULL;

  return g_variant_new_string (color_scheme_nicks[selected]);
}

/* The palette key's word and the row's position: in the order of tether-palette.c. */
static gboolean
palette_get_mapping (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  int position = tether_palette_find_choice (g_variant_get_string (variant, NULL));

  if (position < 0)
    return FALSE;

  g_value_set_uint (value, position);
  return TRUE;
}

static GVariant *
palette_set_mapping (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= tether_palette_get_n_choices ())
    return NULL;

  return g_variant_new_string (tether_palette_get_choice (selected)->id);
}

static void
bind_palette_row (TetherPreferencesWindow *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  for (guint i = 0; i < tether_palette_get_n_choices (); i++)
    gtk_string_list_append (names, _(tether_palette_get_choice (i)->name));
  adw_combo_row_set_model (self->palette_row, G_LIST_MODEL (names));
  g_settings_bind_with_mapping (self->settings, "palette", self->palette_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, palette_get_mapping,
                                palette_set_mapping, NULL, NULL);
}

/* What the schema and VTE take as "keep every line". */
#define SCROLLBACK_UNLIMITED (-1)

static gboolean
on_scrollback_output (GtkSpinButton *spin,
                      gpointer       user_data)
{
  if (gtk_spin_button_get_value_as_int (spin) != SCROLLBACK_UNLIMITED)
    return FALSE;

  gtk_editable_set_text (GTK_EDITABLE (spin), _("Unlimited"));
  return TRUE;
}

static int
on_scrollback_input (GtkSpinButton *spin,
                     double        *new_value,
                     gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));

  if (g_utf8_collate (text, _("Unlimited")) != 0)
    return FALSE;

  *new_value = SCROLLBACK_UNLIMITED;
  return TRUE;
}

/* Only fixed-width fonts make sense in a terminal. */
static gboolean
is_monospace_font (const PangoFontFamily *family,
                   const PangoFontFace   *face,
                   gpointer               user_data)
{
  return pango_font_family_is_monospace ((PangoFontFamily *) family);
}

/* Keeps a spin button inside the range the schema allows, so that no value it offers is
 * refused by GSettings. */
static void
clamp_to_schema_range (GtkSpinButton *spin,
                       GSettings     *settings,
                       const char    *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) limits = NULL;
  const char *type;
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spin);
  double lower;
  double upper;

  g_object_get (settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);
  range = g_settings_schema_key_get_range (schema_key);
  g_variant_get (range, "(&sv)", &type, &limits);
  if (!g_str_equal (type, "range"))
    return;

  if (g_variant_is_of_type (limits, G_VARIANT_TYPE ("(ii)"))) {
    gint32 min;
    gint32 max;

    g_variant_get (limits, "(ii)", &min, &max);
    lower = min;
    upper = max;
  } else if (g_variant_is_of_type (limits, G_VARIANT_TYPE ("(uu)"))) {
    guint32 min;
    guint32 max;

    g_variant_get (limits, "(uu)", &min, &max);
    lower = min;
    upper = max;
  } else {
    return;
  }

  gtk_adjustment_set_lower (adjustment, MAX (lower, gtk_adjustment_get_lower (adjustment)));
  gtk_adjustment_set_upper (adjustment, MIN (upper, gtk_adjustment_get_upper (adjustment)));
}

static void
tether_preferences_window_dispose (GObject *object)
{
  TetherPreferencesWindow *self = TETHER_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (tether_preferences_window_parent_class)->dispose (object);
}

static void
tether_preferences_window_class_init (TetherPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tether_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-preferences-window.ui");
#define BIND_CHILD(name) \
  gtk_widget_class_bind_template_child (widget_class, TetherPreferencesWindow, name)
  BIND_CHILD (use_system_font_switch);
  BIND_CHILD (font_row);
  BIND_CHILD (font_button);
  BIND_CHILD (color_scheme_row);
  BIND_CHILD (palette_row);
  BIND_CHILD (scrollback_spin);
  BIND_CHILD (confirm_paste_switch);
  BIND_CHILD (audible_bell_switch);
  BIND_CHILD (auto_reconnect_switch);
  BIND_CHILD (restore_windows_switch);
  BIND_CHILD (keepalive_spin);
#undef BIND_CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_scrollback_input);
  gtk_widget_class_bind_template_callback (widget_class, on_scrollback_output);
}

static void
tether_preferences_window_init (TetherPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_font_chooser_set_filter_func (GTK_FONT_CHOOSER (self->font_button),
                                    is_monospace_font, NULL, NULL);

  self->settings = g_settings_new (APP_ID);

  g_settings_bind (self->settings, "use-system-font",
                   self->use_system_font_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "font",
                   self->font_button, "font", G_SETTINGS_BIND_DEFAULT);
  /* The font only applies when the system font does not. */
  g_settings_bind (self->settings, "use-system-font",
                   self->font_row, "sensitive",
                   G_SETTINGS_BIND_GET | G_SETTINGS_BIND_INVERT_BOOLEAN);
  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                self->color_scheme_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                color_scheme_get_mapping, color_scheme_set_mapping,
                                NULL, NULL);

  clamp_to_schema_range (self->scrollback_spin, self->settings, "scrollback-lines");
  g_settings_bind (self->settings, "scrollback-lines",
                   self->scrollback_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "confirm-multiline-paste",
                   self->confirm_paste_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "audible-bell",
                   self->audible_bell_switch, "active", G_SETTINGS_BIND_DEFAULT);
  bind_palette_row (self);

  g_settings_bind (self->settings, "auto-reconnect",
                   self->auto_reconnect_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "restore-windows",
                   self->restore_windows_switch, "active", G_SETTINGS_BIND_DEFAULT);
  clamp_to_schema_range (self->keepalive_spin, self->settings, "default-server-alive-interval");
  g_settings_bind (self->settings, "default-server-alive-interval",
                   self->keepalive_spin, "value", G_SETTINGS_BIND_DEFAULT);
}

/**
 * tether_preferences_window_new:
 * @parent: (nullable): the window the preferences are opened from
 *
 * Returns: (transfer none): a new Preferences window, owned by its toplevel list
 */
TetherPreferencesWindow *
tether_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (TETHER_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}
