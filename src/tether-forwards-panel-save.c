/* tether-forwards-panel-save.c: what the forwards panel writes to the saved host.
 *
 * Forwards added, changed or removed in the panel, and the auto-forward settings, are written
 * to a host of hosts.conf so that they come back with it (or stay gone). Hosts of
 * ~/.ssh/config are not Tether's to write: their changes last for this session only. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-forwards-panel-private.h"

/* The saved host of the panel's session, or NULL: hosts of ~/.ssh/config are not Tether's
 * to write, and the panel alone (in tests) has no store. */
static TetherHost *
find_saved_host (TetherForwardsPanel *self)
{
  TetherHost *host = tether_host_session_get_host (self->session);
  TetherHost *saved;

  if (self->host_store == NULL || tether_host_get_id (host) == NULL)
    return NULL;
  saved = tether_host_store_find_by_id (self->host_store, tether_host_get_id (host));
  if (saved == NULL || tether_host_get_source (saved) != TETHER_HOST_SOURCE_TETHER)
    return NULL;
  return saved;
}

/* A copy of the saved host to change: what the panel gave the store last, while it writes. */
static TetherHost *
dup_host_to_save (TetherForwardsPanel *self,
                  TetherHost          *saved)
{
  return tether_host_copy (self->unsaved != NULL ? self->unsaved : saved);
}

/* Writes @copy; @callback gets @user_data, or the panel when NULL. */
static void
save_host (TetherForwardsPanel *self,
           TetherHost          *copy,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_set_object (&self->unsaved, copy);
  self->n_saving++;
  tether_host_store_update_async (self->host_store, copy, NULL, callback,
                                  user_data != NULL ? user_data : g_object_ref (self));
}

/* One of save_host ()'s writes is over, done or failed. */
static void
host_save_done (TetherForwardsPanel *self)
{
  if (--self->n_saving == 0)
    g_clear_object (&self->unsaved);
}

static const char * const *
get_forward_lines (TetherHost        *host,
                   TetherForwardKind  kind)
{
  switch (kind) {
  case TETHER_FORWARD_KIND_REMOTE:
    return tether_host_get_remote_forwards (host);
  case TETHER_FORWARD_KIND_DYNAMIC:
    return tether_host_get_dynamic_forwards (host);
  case TETHER_FORWARD_KIND_LOCAL:
  default:
    return tether_host_get_local_forwards (host);
  }
}

static void
set_forward_lines (TetherHost         *host,
                   TetherForwardKind   kind,
                   const char * const *lines)
{
  switch (kind) {
  case TETHER_FORWARD_KIND_REMOTE:
    tether_host_set_remote_forwards (host, lines);
    break;
  case TETHER_FORWARD_KIND_DYNAMIC:
    tether_host_set_dynamic_forwards (host, lines);
    break;
  case TETHER_FORWARD_KIND_LOCAL:
  default:
    tether_host_set_local_forwards (host, lines);
    break;
  }
}

/* Where @host has the line of @spec (written in any of the ways ssh_config allows), or -1. */
static int
find_forward_line (TetherHost              *host,
                   const TetherForwardSpec *spec)
{
  TetherForwardKind kind = tether_forward_spec_get_kind (spec);
  const char * const *lines = get_forward_lines (host, kind);
  g_autofree char *wanted = tether_forward_spec_to_string (spec);

  for (int i = 0; lines != NULL && lines[i] != NULL; i++) {
    g_autoptr(TetherForwardSpec) line = tether_forward_spec_parse (kind, lines[i], NULL);
    g_autofree char *text = line != NULL ? tether_forward_spec_to_string (line) : NULL;

    if (g_strcmp0 (text, wanted) == 0)
      return i;
  }
  return -1;
}

/* @host's lines of @kind with @remove (or none, when -1) taken out and @line put at
 * @insert (or at the end, when -1). */
static void
change_forward_lines (TetherHost        *host,
                      TetherForwardKind  kind,
                      int                remove,
                      int                insert,
                      const char        *line)
{
  const char * const *lines = get_forward_lines (host, kind);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) changed = NULL;
  int i;

  for (i = 0; lines != NULL && lines[i] != NULL; i++) {
    if (i == insert && line != NULL)
      g_strv_builder_add (builder, line);
    if (i != remove)
      g_strv_builder_add (builder, lines[i]);
  }
  if ((insert < 0 || insert >= i) && line != NULL)
    g_strv_builder_add (builder, line);
  changed = g_strv_builder_end (builder);
  set_forward_lines (host, kind, (const char * const *) changed);
}

/* Says @text under the forwards' heading: a failure to write (@error) or a note. */
static void
set_forwards_note (TetherForwardsPanel *self,
                   const char          *text,
                   gboolean             error)
{
  GtkWidget *group = gtk_widget_get_ancestor (GTK_WIDGET (self->forwards_list),
                                              ADW_TYPE_PREFERENCES_GROUP);

  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), text);
  if (error)
    gtk_widget_add_css_class (group, "error");
  else
    gtk_widget_remove_css_class (group, "error");
}

static void
on_forward_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TetherForwardsPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  host_save_done (self);
  if (tether_host_store_update_finish (TETHER_HOST_STORE (source), result, &error))
    return;

  /* The forward works for this session; only the saved host does not have it. */
  text = g_strdup_printf (_("Could not save the forward with the host: %s"), error->message);
  set_forwards_note (self, text, TRUE);
}

/* A forward added or changed in the dialog is written to the saved host, so that it comes
 * back with the host: a changed one in the place of its old line, a new one at the end. The
 * session already has it, so nothing restarts. */
void
_tether_forwards_panel_save_forward (TetherForwardsPanel *self,
                                     TetherForward       *forward,
                                     TetherForwardSpec   *previous)
{
  TetherHost *saved = find_saved_host (self);
  g_autoptr(TetherForwardSpec) spec = tether_forward_to_spec (forward);
  g_autoptr(TetherHost) copy = NULL;
  g_autofree char *line = NULL;
  TetherForwardKind kind;
  int position = -1;

  if (saved == NULL || spec == NULL)
    return;

  copy = dup_host_to_save (self, saved);
  kind = tether_forward_spec_get_kind (spec);
  line = tether_forward_spec_to_string (spec);
  if (previous != NULL)
    position = find_forward_line (copy, previous);
  if (previous != NULL && tether_forward_spec_get_kind (previous) != kind) {
    change_forward_lines (copy, tether_forward_spec_get_kind (previous), position, -1, NULL);
    position = -1;
  }
  /* Already there (the same forward saved again): nothing to write. */
  if (previous == NULL && find_forward_line (copy, spec) >= 0)
    return;
  change_forward_lines (copy, kind, position, position, line);
  save_host (self, copy, on_forward_saved, NULL);
}

/* Says that ~/.ssh/config gives the host @spec: removing it here lasts this session only. */
static void
say_forward_in_ssh_config (TetherForwardsPanel     *self,
                           const TetherForwardSpec *spec,
                           gboolean                 also)
{
  g_autofree char *line = tether_forward_spec_to_string (spec);
  g_autofree char *text = NULL;

  if (also)
    text = g_strdup_printf (_("“%s” is removed from the saved host, but ~/.ssh/config sets "
                              "it too: it comes back the next time. Remove it from that file "
                              "to remove it for good."), line);
  else
    text = g_strdup_printf (_("“%s” is set in ~/.ssh/config: it is removed for this session "
                              "only and comes back the next time. Remove it from that file to "
                              "remove it for good."), line);
  set_forwards_note (self, text, FALSE);
}

typedef struct {
  TetherForwardsPanel *panel;
  TetherForwardSpec *spec;
} Forgotten;

static void
forgotten_free (Forgotten *forgotten)
{
  g_object_unref (forgotten->panel);
  tether_forward_spec_free (forgotten->spec);
  g_free (forgotten);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Forgotten, forgotten_free)

static void
on_forward_forgotten (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(Forgotten) forgotten = user_data;
  TetherForwardsPanel *self = forgotten->panel;
  TetherHost *host = tether_host_session_get_host (self->session);
  g_autoptr(TetherHost) resolved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  host_save_done (self);
  if (!tether_host_store_update_finish (TETHER_HOST_STORE (source), result, &error)) {
    /* Gone for this session; the saved host still has it, and says so at the next launch. */
    text = g_strdup_printf (_("Could not remove the forward from the host: %s"),
                            error->message);
    set_forwards_note (self, text, TRUE);
    return;
  }
  /* The host as it now resolves (the store parsed what it wrote) still has it: a block of
   * ~/.ssh/config gives it too, and it would come back without a word. */
  if (tether_host_get_alias (host) != NULL)
    resolved = tether_host_store_lookup (self->host_store, tether_host_get_alias (host));
  if (resolved != NULL && find_forward_line (resolved, forgotten->spec) >= 0)
    say_forward_in_ssh_config (self, forgotten->spec, TRUE);
}

/* A forward removed in the panel is taken out of the saved host too, or it would come back
 * with the host at the next launch. One that ~/.ssh/config gives the host cannot be taken
 * out from here: the panel says that it is gone for this session only, and says that it
 * comes back when ~/.ssh/config gives it as well as the saved host. Auto-forwards and
 * forwards added for this session only are in neither, and need nothing. */
void
_tether_forwards_panel_forget_forward (TetherForwardsPanel *self,
                                       TetherForward       *forward)
{
  TetherHost *host = tether_host_session_get_host (self->session);
  TetherHost *saved = find_saved_host (self);
  g_autoptr(TetherForwardSpec) spec = tether_forward_to_spec (forward);

  if (spec == NULL)
    return;

  if (saved != NULL) {
    g_autoptr(TetherHost) copy = dup_host_to_save (self, saved);
    int position = find_forward_line (copy, spec);

    if (position >= 0) {
      Forgotten *forgotten = g_new0 (Forgotten, 1);

      change_forward_lines (copy, tether_forward_spec_get_kind (spec), position, -1, NULL);
      forgotten->panel = g_object_ref (self);
      forgotten->spec = g_steal_pointer (&spec);
      save_host (self, copy, on_forward_forgotten, forgotten);
      return;
    }
  }

  /* The host as resolved has it and hosts.conf does not: it is ~/.ssh/config's. */
  if (find_forward_line (host, spec) < 0)
    return;
  say_forward_in_ssh_config (self, spec, FALSE);
}

static void
on_host_saved (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TetherForwardsPanel) self = user_data;
  g_autoptr(GError) error = NULL;

  host_save_done (self);
  if (!tether_host_store_update_finish (TETHER_HOST_STORE (source), result, &error)) {
    g_autofree char *text = g_strdup_printf (_("Could not save the setting: %s"),
                                             error->message);

    adw_action_row_set_subtitle (self->auto_forward_row, text);
    gtk_widget_add_css_class (GTK_WIDGET (self->auto_forward_row), "error");
  }
}

/* Writes the host's auto-forward settings to the saved host, when it is one. The session's
 * host is the one the forwarder reads, so it changes first, at once. */
void
_tether_forwards_panel_save_auto_forward (TetherForwardsPanel *self)
{
  TetherHost *host = tether_host_session_get_host (self->session);
  TetherHost *saved = find_saved_host (self);
  g_autoptr(TetherHost) copy = NULL;

  if (saved == NULL)
    return;
  if (self->unsaved != NULL)
    saved = self->unsaved;
  if (saved != host &&
      tether_host_get_auto_forward_ports (saved) == tether_host_get_auto_forward_ports (host) &&
      g_strcmp0 (tether_host_get_auto_forward_ports_filter (saved),
                 tether_host_get_auto_forward_ports_filter (host)) == 0)
    return;
  copy = tether_host_copy (saved);
  tether_host_set_auto_forward_ports (copy, tether_host_get_auto_forward_ports (host));
  tether_host_set_auto_forward_ports_filter (copy,
                                             tether_host_get_auto_forward_ports_filter (host));
  save_host (self, copy, on_host_saved, NULL);
}
