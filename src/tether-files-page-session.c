/* tether-files-page-session.c: the files page as a rider of its host session.
 *
 * Like a shell or a port forward, the page's SFTP client registers with the host session, so
 * that after a reconnect (one login for the whole host) the session opens it again in its
 * turn and the folder shown comes back, listed afresh, without a click. Meanwhile a banner
 * says what the connection does, the actions that need the server are off, and when the
 * session gives up the banner shows why, with Reconnect. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-page-private.h"
#include "tether-host-session-private.h"

/* The banner counts down to the next retry in whole seconds, as the terminal tabs do. */
#define RECONNECT_TICK_MS 1000

/* ------------------------------------------------------------------------- */
/* The banner                                                                */

/* What the host session does about the lost connection: the terminal tabs' words. */
static char *
dup_retry_note (TetherFilesPage *self)
{
  guint attempt = tether_host_session_get_reconnect_attempt (self->session);
  gint64 next_retry = tether_host_session_get_next_retry (self->session);

  if (next_retry > 0) {
    gint64 remaining_ms = (next_retry - g_get_monotonic_time ()) / 1000;
    /* Whole seconds, rounded up: the last second says 1, not 0. */
    guint seconds = MAX ((remaining_ms + RECONNECT_TICK_MS - 1) / RECONNECT_TICK_MS, 1);

    /* Translators: the second %u is how many retries were made, counting this one. */
    return g_strdup_printf (ngettext ("Reconnecting in %u second… (attempt %u)",
                                      "Reconnecting in %u seconds… (attempt %u)", seconds),
                            seconds, attempt);
  }
  if (attempt > 0)
    return g_strdup_printf (_("Reconnecting… (attempt %u)"), attempt);
  return g_strdup (_("Reconnecting…"));
}

/* What the banner says about the connection, or %NULL when the page has it. */
static char *
dup_banner_text (TetherFilesPage *self,
                 gboolean        *can_reconnect)
{
  const GError *error = tether_host_session_get_error (self->session);
  TetherHostSessionState state = tether_host_session_get_state (self->session);
  g_autofree char *note = NULL;

  *can_reconnect = FALSE;
  /* A page not shown yet has lost nothing; the first login shows in the page itself. */
  if (!_tether_files_page_get_started (self))
    return NULL;

  switch (state) {
  case TETHER_HOST_SESSION_STATE_RECONNECTING:
    if (tether_host_session_get_next_retry (self->session) == 0 &&
        tether_host_session_get_connection (self->session) == NULL) {
      /* Not retrying by itself (auto-reconnect is off): the button is the way on. */
      *can_reconnect = TRUE;
      return g_strdup (error != NULL ? error->message : _("The connection was lost."));
    }
    note = dup_retry_note (self);
    if (error != NULL)
      return g_strdup_printf ("%s %s", error->message, note);
    return g_steal_pointer (&note);
  case TETHER_HOST_SESSION_STATE_FAILED:
    *can_reconnect = TRUE;
    return g_strdup (error != NULL ? error->message : _("Could not connect."));
  case TETHER_HOST_SESSION_STATE_IDLE:
    /* Closed while the page was showing files: it can log in again. */
    if (self->path == NULL)
      return NULL;
    *can_reconnect = TRUE;
    return g_strdup (_("Disconnected."));
  case TETHER_HOST_SESSION_STATE_CONNECTING:
  case TETHER_HOST_SESSION_STATE_READY:
  default:
    return NULL;
  }
}

static gboolean
tick_cb (gpointer user_data);

static void
update_banner (TetherFilesPage *self)
{
  gboolean can_reconnect = FALSE;
  gboolean counting;
  g_autofree char *text = NULL;

  if (self->session == NULL || self->banner == NULL)
    return;
  text = dup_banner_text (self, &can_reconnect);
  counting = text != NULL && tether_host_session_get_next_retry (self->session) > 0;
  if (counting && self->tick_source == 0)
    self->tick_source = g_timeout_add (RECONNECT_TICK_MS, tick_cb, self);
  else if (!counting)
    g_clear_handle_id (&self->tick_source, g_source_remove);
  gtk_label_set_text (self->banner_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->reconnect_button, can_reconnect);
  gtk_info_bar_set_message_type (self->banner,
                                 can_reconnect ? GTK_MESSAGE_ERROR : GTK_MESSAGE_INFO);
  gtk_info_bar_set_revealed (self->banner, text != NULL);
  /* The old listing stays in view, but nothing in it can be opened until the client is back. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->stack), text == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->path_entry), text == NULL);
}

static gboolean
tick_cb (gpointer user_data)
{
  update_banner (user_data);
  return G_SOURCE_CONTINUE;
}

static void
reconnect_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);

  /* On a READY session this re-establishes riders that lost their channel: this page. */
  tether_host_session_reconnect (self->session);
}

/* ------------------------------------------------------------------------- */
/* Riding on the host session                                                */

/* Completes the session's wait for this page, if it waits. */
static void
finish_reestablish (TetherFilesPage *self,
                    const GError    *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->reestablish_task);

  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
rider_reestablish_async (GObject             *rider,
                         TetherConnection    *connection,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (rider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, rider_reestablish_async);
  g_task_set_name (task, "[tether] files page reestablish");
  /* A tab never shown opens its client when it is first shown; one with an open client on
   * this connection has nothing to do. */
  if (!_tether_files_page_get_started (self) ||
      (self->client != NULL && !tether_sftp_client_is_closed (self->client) &&
       tether_sftp_client_get_connection (self->client) == connection)) {
    g_task_return_boolean (task, TRUE);
    return;
  }
  /* One wait at a time: an older one is answered now. */
  finish_reestablish (self, NULL);
  self->reestablish_task = g_steal_pointer (&task);
  if (self->client != NULL)
    _tether_files_page_drop_client (self);
  _tether_files_page_open_client (self);
  update_banner (self);
}

static gboolean
rider_reestablish_finish (GObject       *rider,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
rider_lost (GObject                *rider,
            TetherHostSessionState  state,
            const GError           *error)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (rider);
  g_autoptr(GError) closed = NULL;

  _tether_files_page_drop_client (self);
  update_banner (self);
  closed = g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                _("The connection was lost."));
  finish_reestablish (self, error != NULL ? error : closed);
}

static const TetherRiderVTable rider_vtable = {
  rider_reestablish_async,
  rider_reestablish_finish,
  rider_lost,
};

/* The client opened (or could not be): the session's wait, if any, is over. */
void
_tether_files_page_session_opened (TetherFilesPage *self,
                                   const GError    *error)
{
  finish_reestablish (self, error);
  update_banner (self);
}

/* ------------------------------------------------------------------------- */
/* Set-up                                                                    */

void
_tether_files_page_session_attach (TetherFilesPage *self)
{
  GtkWidget *content;
  GtkWidget *label;
  GtkWidget *button;

  self->banner = GTK_INFO_BAR (gtk_info_bar_new ());
  gtk_info_bar_set_revealed (self->banner, FALSE);
  gtk_widget_set_name (GTK_WIDGET (self->banner), "files-banner");
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_info_bar_add_child (self->banner, label);
  self->banner_label = GTK_LABEL (label);
  button = gtk_button_new_with_mnemonic (_("_Reconnect"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "files.reconnect");
  gtk_widget_set_tooltip_text (button, _("Reconnect every tab of this host"));
  gtk_info_bar_add_action_widget (self->banner, button, GTK_RESPONSE_NONE);
  self->reconnect_button = button;
  /* Under the path bar, over the list: where the terminal page has its banner. */
  content = gtk_widget_get_next_sibling (self->toolbar);
  gtk_widget_insert_before (GTK_WIDGET (self->banner), GTK_WIDGET (self), content);

  _tether_host_session_add_rider (self->session, G_OBJECT (self), &rider_vtable);
  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (update_banner), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::next-retry", G_CALLBACK (update_banner),
                           self, G_CONNECT_SWAPPED);
}

void
_tether_files_page_session_detach (TetherFilesPage *self)
{
  g_autoptr(GError) closed = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("The files tab was closed."));

  _tether_host_session_remove_rider (self->session, G_OBJECT (self));
  finish_reestablish (self, closed);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->banner != NULL) {
    gtk_widget_unparent (GTK_WIDGET (self->banner));
    self->banner = NULL;
  }
}

void
_tether_files_page_class_session_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "files.reconnect", NULL, reconnect_activated);
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

/**
 * tether_files_page_get_banner_text:
 * @self: a files page
 *
 * Returns: (nullable): what the page's banner says about the connection, or %NULL when it
 *   is hidden
 */
const char *
tether_files_page_get_banner_text (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  if (self->banner == NULL || !gtk_info_bar_get_revealed (self->banner))
    return NULL;
  return gtk_label_get_text (self->banner_label);
}

/**
 * tether_files_page_set_initial_path:
 * @self: a files page that has not started yet
 * @path: (nullable): the folder to show first instead of the home folder
 *
 * A restored tab comes back at the folder it showed.
 */
void
tether_files_page_set_initial_path (TetherFilesPage *self,
                                    const char      *path)
{
  g_return_if_fail (TETHER_IS_FILES_PAGE (self));
  g_return_if_fail (!_tether_files_page_get_started (self));

  if (path == NULL || *path == '\0' || g_strcmp0 (self->path, path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  gtk_editable_set_text (GTK_EDITABLE (self->path_entry), path);
  g_object_notify (G_OBJECT (self), "path");
}
