/* tether-forward-dialog.c: the Add/Edit Forward dialog.
 *
 * What the fields say is written out as ssh_config writes a forward and read back with the
 * core's one parser, tether_forward_spec_parse (), so the dialog accepts exactly what a hosts
 * file would. On top of the parser, the dialog refuses a listening port another forward of
 * the host already uses, and warns (without refusing) about privileged ports. Messages show
 * under the fields as they are typed; Save stays insensitive while there is an error. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tether-forward-dialog.h"

/* Below this, listening needs root (or CAP_NET_BIND_SERVICE) on Linux and most servers. */
#define PRIVILEGED_PORT_LIMIT 1024
#define PORT_MAX 65535

/* The kind row's items, in the order of the .ui file. */
static const TetherForwardKind kind_items[] = {
  TETHER_FORWARD_KIND_LOCAL,
  TETHER_FORWARD_KIND_REMOTE,
  TETHER_FORWARD_KIND_DYNAMIC,
};

struct _TetherForwardDialog
{
  AdwWindow parent_instance;

  TetherForwardList *list;
  TetherForward *forward;      /* the one being edited, or NULL when adding */
  TetherForwardSpec *spec;     /* what the fields say, when it is valid */
  char *message;
  char *warning;

  /* Template children */
  AdwWindowTitle *window_title;
  GtkWidget *save_button;
  GtkWidget *kind_group;
  AdwComboRow *kind_row;
  GtkWidget *listen_group;
  AdwEntryRow *bind_address_row;
  AdwEntryRow *bind_port_row;
  GtkWidget *destination_group;
  AdwEntryRow *destination_host_row;
  AdwEntryRow *destination_port_row;
  GtkLabel *error_label;
  GtkLabel *warning_label;
};

G_DEFINE_FINAL_TYPE (TetherForwardDialog, tether_forward_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static TetherForwardKind
get_kind (TetherForwardDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->kind_row);

  return selected < G_N_ELEMENTS (kind_items) ? kind_items[selected] : TETHER_FORWARD_KIND_LOCAL;
}

static void
set_kind (TetherForwardDialog *self,
          TetherForwardKind    kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_items); i++) {
    if (kind_items[i] == kind)
      adw_combo_row_set_selected (self->kind_row, i);
  }
}

static const char *
field_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* A port field: empty, or a number in range. Remote listening ports may be 0 (the server
 * picks one). */
static gboolean
port_field_valid (AdwEntryRow *row,
                  gboolean     zero_allowed,
                  guint       *port)
{
  const char *text = field_text (row);
  char *end = NULL;
  guint64 value;

  *port = 0;
  if (*text == '\0')
    return TRUE;
  if (!g_ascii_isdigit (*text))
    return FALSE;
  value = g_ascii_strtoull (text, &end, 10);
  if (*end != '\0' || value > PORT_MAX || (value == 0 && !zero_allowed))
    return FALSE;
  *port = value;
  return TRUE;
}

/* An address as ssh_config writes it: IPv6 in brackets. */
static void
append_address (GString    *text,
                const char *address)
{
  if (strchr (address, ':') != NULL)
    g_string_append_printf (text, "[%s]", address);
  else
    g_string_append (text, address);
}

static char *
dup_spec_text (TetherForwardDialog *self,
               TetherForwardKind    kind)
{
  GString *text = g_string_new (NULL);
  g_autofree char *bind = g_strstrip (g_strdup (field_text (self->bind_address_row)));
  g_autofree char *host = g_strstrip (g_strdup (field_text (self->destination_host_row)));
  g_autofree char *host_port = g_strstrip (g_strdup (field_text (self->destination_port_row)));

  if (*bind != '\0') {
    append_address (text, bind);
    g_string_append_c (text, ':');
  }
  g_string_append (text, field_text (self->bind_port_row));

  /* A remote forward without a destination is a SOCKS proxy on the server. */
  if (kind != TETHER_FORWARD_KIND_DYNAMIC && (*host != '\0' || *host_port != '\0')) {
    g_string_append_c (text, ' ');
    append_address (text, host);
    g_string_append_c (text, ':');
    g_string_append (text, host_port);
  }

  return g_string_free (text, FALSE);
}

/* Forwards listen on this machine (local, SOCKS) or on the server (remote): two ports clash
 * only on the same side. */
static gboolean
listens_locally (TetherForwardKind kind)
{
  return kind != TETHER_FORWARD_KIND_REMOTE;
}

static TetherForward *
find_conflict (TetherForwardDialog *self,
               TetherForwardKind    kind,
               guint                port)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->list));

  if (port == 0)
    return NULL;

  for (guint i = 0; i < n; i++) {
    g_autoptr(TetherForward) other = g_list_model_get_item (G_LIST_MODEL (self->list), i);
    guint other_port = tether_forward_get_bound_port (other);

    if (other == self->forward ||
        listens_locally (tether_forward_get_kind (other)) != listens_locally (kind))
      continue;
    if (other_port == 0)
      other_port = tether_forward_get_bind_port (other);
    if (other_port == port)
      return g_steal_pointer (&other);
  }

  return NULL;
}

static void
set_row_error (AdwEntryRow *row,
               gboolean     error)
{
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
show_label (GtkLabel   *label,
            const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
}

static gboolean
all_fields_empty (TetherForwardDialog *self)
{
  return *field_text (self->bind_address_row) == '\0' &&
         *field_text (self->bind_port_row) == '\0' &&
         *field_text (self->destination_host_row) == '\0' &&
         *field_text (self->destination_port_row) == '\0';
}

static void
validate (TetherForwardDialog *self)
{
  TetherForwardKind kind = get_kind (self);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherForward) conflict = NULL;
  gboolean bind_port_ok;
  gboolean host_port_ok;
  guint bind_port;
  guint host_port;

  g_clear_pointer (&self->spec, tether_forward_spec_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->warning, g_free);

  bind_port_ok = port_field_valid (self->bind_port_row, kind == TETHER_FORWARD_KIND_REMOTE,
                                   &bind_port);
  host_port_ok = kind == TETHER_FORWARD_KIND_DYNAMIC ||
                 port_field_valid (self->destination_port_row, FALSE, &host_port);
  set_row_error (self->bind_port_row, !bind_port_ok);
  set_row_error (self->destination_port_row, !host_port_ok);

  text = dup_spec_text (self, kind);
  self->spec = tether_forward_spec_parse (kind, text, &error);

  if (!bind_port_ok || !host_port_ok) {
    g_clear_pointer (&self->spec, tether_forward_spec_free);
    self->message = g_strdup (_("A port is a number from 1 to 65535."));
  } else if (self->spec == NULL && *field_text (self->bind_port_row) == '\0') {
    self->message = g_strdup (_("Enter the port to listen on."));
  } else if (self->spec == NULL) {
    self->message = g_strdup (error->message);
  } else if ((conflict = find_conflict (self, kind, bind_port)) != NULL) {
    g_clear_pointer (&self->spec, tether_forward_spec_free);
    set_row_error (self->bind_port_row, TRUE);
    self->message = listens_locally (kind) ?
      g_strdup_printf (_("Another forward already listens on port %u of this computer."),
                       bind_port) :
      g_strdup_printf (_("Another forward already listens on port %u of the server."),
                       bind_port);
  }

  if (self->spec != NULL && bind_port != 0 && bind_port < PRIVILEGED_PORT_LIMIT) {
    self->warning = listens_locally (kind) ?
      g_strdup_printf (_("Port %u is below 1024: listening on it needs administrator rights "
                         "on this computer."), bind_port) :
      g_strdup_printf (_("Port %u is below 1024: only root may listen on it on the server."),
                       bind_port);
  }

  /* A new, untouched dialog does not greet the user with an error. */
  show_label (self->error_label, all_fields_empty (self) ? NULL : self->message);
  show_label (self->warning_label, self->warning);
  gtk_widget_set_sensitive (self->save_button, self->spec != NULL);
}

static void
on_field_changed (TetherForwardDialog *self)
{
  validate (self);
}

static void
on_kind_changed (TetherForwardDialog *self)
{
  TetherForwardKind kind = get_kind (self);

  static const char *subtitles[] = {
    [TETHER_FORWARD_KIND_LOCAL] = N_("A port here that leads to the destination through "
                                     "the server"),
    [TETHER_FORWARD_KIND_REMOTE] = N_("A port on the server that leads to the destination "
                                      "through this computer"),
    [TETHER_FORWARD_KIND_DYNAMIC] = N_("A proxy here whose connections go out through the "
                                       "server"),
  };

  /* In the group, not the row: a row's subtitle squeezes the chosen kind to "L…". */
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->kind_group),
                                         _(subtitles[kind]));
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->listen_group),
                                   kind == TETHER_FORWARD_KIND_REMOTE ?
                                   _("Listen on the Server") : _("Listen on This Computer"));
  gtk_widget_set_visible (self->destination_group, kind != TETHER_FORWARD_KIND_DYNAMIC);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->destination_group),
                                         kind == TETHER_FORWARD_KIND_REMOTE ?
                                         _("Leave empty to make the server’s port a SOCKS "
                                           "proxy through this computer.") : NULL);
  validate (self);
}

/**
 * tether_forward_dialog_save:
 * @self: a #TetherForwardDialog
 *
 * Adds the forward the fields describe to the list (in the place of the one being edited),
 * emits #TetherForwardDialog::saved and closes the dialog. Does nothing while the fields are
 * not valid.
 *
 * Returns: (transfer none) (nullable): the forward added, or %NULL
 */
TetherForward *
tether_forward_dialog_save (TetherForwardDialog *self)
{
  g_autoptr(TetherForward) added = NULL;
  g_autoptr(TetherForwardSpec) previous = NULL;

  g_return_val_if_fail (TETHER_IS_FORWARD_DIALOG (self), NULL);

  validate (self);
  if (self->spec == NULL)
    return NULL;

  /* Pinned: it starts now when the host is connected, and after every reconnect. An edited
   * forward is a new one (its ports and kind are fixed at construction) in the old one's
   * place; one removed meanwhile is simply added again. */
  if (self->forward != NULL) {
    previous = tether_forward_to_spec (self->forward);
    added = tether_forward_list_replace_spec (self->list, self->forward, self->spec, TRUE);
  }
  if (added == NULL)
    added = tether_forward_list_add_spec (self->list, self->spec, TRUE);
  g_signal_emit (self, signals[SAVED], 0, added, previous);
  gtk_window_close (GTK_WINDOW (self));

  return added;  /* the list holds it */
}

static void
on_save_clicked (TetherForwardDialog *self)
{
  tether_forward_dialog_save (self);
}

static void
tether_forward_dialog_dispose (GObject *object)
{
  TetherForwardDialog *self = TETHER_FORWARD_DIALOG (object);

  g_clear_object (&self->list);
  g_clear_object (&self->forward);
  g_clear_pointer (&self->spec, tether_forward_spec_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->warning, g_free);

  G_OBJECT_CLASS (tether_forward_dialog_parent_class)->dispose (object);
}

static void
tether_forward_dialog_class_init (TetherForwardDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tether_forward_dialog_dispose;

  /**
   * TetherForwardDialog::saved:
   * @self: the dialog
   * @forward: the forward now in the list
   * @previous: (nullable): what the edited forward was, or %NULL when @forward is new
   *
   * Emitted when Save puts a forward in the list, so that the saved host can keep it.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 2, TETHER_TYPE_FORWARD,
                                 TETHER_TYPE_FORWARD_SPEC);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-forward-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, kind_group);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, listen_group);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, bind_address_row);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, bind_port_row);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, destination_group);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog,
                                        destination_host_row);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog,
                                        destination_port_row);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardDialog, warning_label);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tether_forward_dialog_init (TetherForwardDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
set_field (AdwEntryRow *row,
           const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static void
set_port_field (AdwEntryRow *row,
                guint        port)
{
  g_autofree char *text = port != 0 ? g_strdup_printf ("%u", port) : NULL;

  set_field (row, text);
}

/**
 * tether_forward_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @list: the host's forwards, where Save adds the forward
 * @forward: (nullable): the forward to edit, or %NULL to add one
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
TetherForwardDialog *
tether_forward_dialog_new (GtkWindow         *parent,
                           TetherForwardList *list,
                           TetherForward     *forward)
{
  TetherForwardDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TETHER_IS_FORWARD_LIST (list), NULL);
  g_return_val_if_fail (forward == NULL || TETHER_IS_FORWARD (forward), NULL);

  self = g_object_new (TETHER_TYPE_FORWARD_DIALOG, "transient-for", parent, NULL);
  self->list = g_object_ref (list);
  g_set_object (&self->forward, forward);

  adw_window_title_set_title (self->window_title,
                              forward != NULL ? _("Edit Forward") : _("Add Forward"));
  gtk_window_set_title (GTK_WINDOW (self), adw_window_title_get_title (self->window_title));

  if (forward != NULL) {
    set_kind (self, tether_forward_get_kind (forward));
    set_field (self->bind_address_row, tether_forward_get_bind_address (forward));
    set_port_field (self->bind_port_row, tether_forward_get_bind_port (forward));
    set_field (self->destination_host_row, tether_forward_get_destination_host (forward));
    set_port_field (self->destination_port_row, tether_forward_get_destination_port (forward));
  }
  on_kind_changed (self);

  return self;
}

/* What the fields say is a forward that Save would add. */
gboolean
tether_forward_dialog_is_valid (TetherForwardDialog *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD_DIALOG (self), FALSE);
  return self->spec != NULL;
}

/* Why Save is insensitive, or NULL. */
const char *
tether_forward_dialog_get_message (TetherForwardDialog *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD_DIALOG (self), NULL);
  return self->message;
}

/* What the user should know before saving (a privileged port), or NULL. */
const char *
tether_forward_dialog_get_warning (TetherForwardDialog *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD_DIALOG (self), NULL);
  return self->warning;
}
