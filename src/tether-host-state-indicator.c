/* tether-host-state-indicator.c: the small status light of a host's row in the sidebar:
 * a spinner while its tabs connect, a dot while connected, and the host session's trouble
 * (reconnecting, with the attempt; failed, with the error) in an icon and its tooltip, the
 * same that every tab of the host shows in its banner. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-host-state-indicator.h"

/* The "connected" dot: smaller than an icon, so that it reads as a status light. */
#define STATE_DOT_SIZE 10

/* What the host session says while its connection is lost or its login failed: the same
 * for every tab of the host, so the row shows it too. NULL when the session is fine. */
static char *
dup_session_problem (TetherHostSession *session,
                     const char       **name)
{
  const GError *error = session != NULL ? tether_host_session_get_error (session) : NULL;

  if (session == NULL)
    return NULL;

  switch (tether_host_session_get_state (session)) {
  case TETHER_HOST_SESSION_STATE_RECONNECTING:
    *name = "reconnecting";
    /* No countdown: a tooltip is not redrawn each second. The tabs show one. */
    if (tether_host_session_get_next_retry (session) > 0 ||
        tether_host_session_get_connection (session) != NULL)
      return g_strdup_printf (_("Connection lost: reconnecting (attempt %u)"),
                              tether_host_session_get_reconnect_attempt (session));
    return g_strdup_printf (_("Connection lost: %s"),
                            error != NULL ? error->message : _("the server is gone"));
  case TETHER_HOST_SESSION_STATE_FAILED:
    *name = "failed";
    return g_strdup (error != NULL ? error->message : _("Could not connect"));
  case TETHER_HOST_SESSION_STATE_IDLE:
  case TETHER_HOST_SESSION_STATE_CONNECTING:
  case TETHER_HOST_SESSION_STATE_READY:
  default:
    return NULL;
  }
}

/**
 * tether_host_state_indicator_new:
 *
 * Returns: (transfer floating): a new indicator, hidden while there is nothing to show
 */
GtkWidget *
tether_host_state_indicator_new (void)
{
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *dot = gtk_image_new_from_icon_name ("media-record-symbolic");
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_stack_set_hhomogeneous (GTK_STACK (stack), TRUE);
  gtk_image_set_pixel_size (GTK_IMAGE (dot), STATE_DOT_SIZE);
  gtk_widget_add_css_class (dot, "success");
  gtk_stack_add_named (GTK_STACK (stack), gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0), "idle");
  gtk_stack_add_named (GTK_STACK (stack), spinner, "busy");
  /* It turns only while it is on screen: GTK 4.8 animates a spinner that is not (its page
   * hidden, the sidebar folded away) and lays the window out on every frame for it. */
  g_signal_connect (spinner, "map", G_CALLBACK (gtk_spinner_start), NULL);
  g_signal_connect (spinner, "unmap", G_CALLBACK (gtk_spinner_stop), NULL);
  gtk_stack_add_named (GTK_STACK (stack), dot, "ready");
  gtk_stack_add_named (GTK_STACK (stack), gtk_image_new_from_icon_name ("network-error-symbolic"),
                       "reconnecting");
  gtk_stack_add_named (GTK_STACK (stack), gtk_image_new_from_icon_name ("dialog-error-symbolic"),
                       "failed");
  gtk_widget_set_valign (stack, GTK_ALIGN_CENTER);

  return stack;
}

/**
 * tether_host_state_indicator_update:
 * @indicator: an indicator from tether_host_state_indicator_new()
 * @state: the state of the host's tabs' connection
 * @session: (nullable): the host's session
 *
 * Shows @session's trouble (reconnecting, failed) when it has some, else @state: a spinner
 * while connecting or logging in, a dot when connected, nothing otherwise.
 */
void
tether_host_state_indicator_update (GtkWidget             *indicator,
                                    TetherConnectionState  state,
                                    TetherHostSession     *session)
{
  GtkStack *stack = GTK_STACK (indicator);
  const char *name = NULL;
  g_autofree char *problem = dup_session_problem (session, &name);
  const char *tooltip = problem;

  if (problem == NULL) {
    switch (state) {
    case TETHER_CONNECTION_STATE_CONNECTING:
    case TETHER_CONNECTION_STATE_AUTHENTICATING:
      name = "busy";
      tooltip = state == TETHER_CONNECTION_STATE_CONNECTING ? _("Connecting…")
                                                            : _("Logging in…");
      break;
    case TETHER_CONNECTION_STATE_READY:
      name = "ready";
      tooltip = _("Connected");
      break;
    case TETHER_CONNECTION_STATE_DISCONNECTED:
    case TETHER_CONNECTION_STATE_CLOSED:
    default:
      name = "idle";
      tooltip = NULL;
      break;
    }
  }

  gtk_stack_set_visible_child_name (stack, name);
  gtk_widget_set_visible (GTK_WIDGET (stack), tooltip != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (stack), tooltip);
}

/**
 * tether_host_state_indicator_dup_text:
 * @indicator: an indicator
 *
 * Returns: (transfer full) (nullable): what the indicator says (its tooltip), or %NULL
 *   while it shows nothing
 */
char *
tether_host_state_indicator_dup_text (GtkWidget *indicator)
{
  if (!gtk_widget_get_visible (indicator))
    return NULL;

  return g_strdup (gtk_widget_get_tooltip_text (indicator));
}
