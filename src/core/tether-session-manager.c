/* tether-session-manager.c: the host sessions of an application, one per saved host.
 *
 * A GListModel of TetherHostSession keyed by the saved host's identity (its id, or where it
 * comes from and its alias), never by user@host:port: two saved hosts that point at the
 * same address with different users or keys get two sessions and two logins. A session
 * leaves the list, closed, when its last rider (shell) goes and no view holds it, and when it
 * is closed.
 */
#include "config.h"

#include "tether-session-manager.h"

#include "tether-auto-forward.h"

/**
 * TetherSessionManager:
 *
 * The host sessions of an application, one per saved host, as a
 * [iface@Gio.ListModel] of [class@Tether.HostSession].
 *
 * [method@Tether.SessionManager.lookup_or_create] finds the session of a saved
 * host, or makes one (not connected yet) with the manager's
 * [property@Tether.SessionManager:interaction]. Sessions are keyed by the saved
 * host's identity (its id, or where it comes from and its alias), never by
 * user@host:port. A session leaves the list, closed, when its last rider goes, and
 * when it is closed.
 *
 * Threading: use it on the thread that created it, as its sessions.
 */

struct _TetherSessionManager
{
  GObject parent_instance;

  /* TetherHostSession *, in the order they were made. */
  GPtrArray *sessions;
  /* Key -> TetherHostSession * (borrowed from sessions). */
  GHashTable *by_key;
  /* TetherHostSession * -> its TetherAutoForward, which acts only while the host asks
   * for it (#TetherHost:auto-forward-ports) and goes with the session. */
  GHashTable *auto_forwards;
  TetherInteraction *interaction;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TetherSessionManager, tether_session_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_INTERACTION,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return TETHER_TYPE_HOST_SESSION;
}

static guint
get_n_items (GListModel *model)
{
  return TETHER_SESSION_MANAGER (model)->sessions->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  TetherSessionManager *self = TETHER_SESSION_MANAGER (model);

  if (position >= self->sessions->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->sessions, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void on_session_changed (TetherHostSession    *session,
                                GParamSpec           *pspec,
                                TetherSessionManager *self);

static void
remove_session (TetherSessionManager *self,
                TetherHostSession    *session)
{
  g_autofree char *key = tether_host_session_dup_key_for_host (
    tether_host_session_get_host (session));
  guint position;

  if (!g_ptr_array_find (self->sessions, session, &position))
    return;
  g_object_ref (session);
  g_signal_handlers_disconnect_by_func (session, on_session_changed, self);
  g_hash_table_remove (self->by_key, key);
  g_hash_table_remove (self->auto_forwards, session);
  g_ptr_array_remove_index (self->sessions, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  /* Whoever still holds it may use it again; the list no longer offers it. A FAILED one
   * keeps its error for whoever shows it. */
  if (tether_host_session_get_state (session) != TETHER_HOST_SESSION_STATE_IDLE &&
      tether_host_session_get_state (session) != TETHER_HOST_SESSION_STATE_FAILED)
    tether_host_session_close (session);
  g_object_unref (session);
}

static void
on_session_changed (TetherHostSession    *session,
                    GParamSpec           *pspec,
                    TetherSessionManager *self)
{
  TetherHostSessionState state = tether_host_session_get_state (session);

  if (g_str_equal (pspec->name, "n-riders") || g_str_equal (pspec->name, "held")) {
    /* The last shell went and no view keeps it: nothing rides on the login any more. */
    if (tether_host_session_get_n_riders (session) == 0 &&
        !tether_host_session_get_held (session))
      remove_session (self, session);
  } else if (state == TETHER_HOST_SESSION_STATE_IDLE)
    remove_session (self, session);
}

static void
tether_session_manager_dispose (GObject *object)
{
  TetherSessionManager *self = TETHER_SESSION_MANAGER (object);

  for (guint i = 0; i < self->sessions->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->sessions, i),
                                          on_session_changed, self);
  g_hash_table_remove_all (self->auto_forwards);
  g_ptr_array_set_size (self->sessions, 0);
  g_hash_table_remove_all (self->by_key);
  g_clear_object (&self->interaction);
  G_OBJECT_CLASS (tether_session_manager_parent_class)->dispose (object);
}

static void
tether_session_manager_finalize (GObject *object)
{
  TetherSessionManager *self = TETHER_SESSION_MANAGER (object);

  g_ptr_array_unref (self->sessions);
  g_hash_table_unref (self->by_key);
  g_hash_table_unref (self->auto_forwards);
  G_OBJECT_CLASS (tether_session_manager_parent_class)->finalize (object);
}

static void
tether_session_manager_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TetherSessionManager *self = TETHER_SESSION_MANAGER (object);

  switch (prop_id) {
  case PROP_INTERACTION:
    g_value_set_object (value, self->interaction);
    break;
  case PROP_N_ITEMS:
    g_value_set_uint (value, self->sessions->len);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_session_manager_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TetherSessionManager *self = TETHER_SESSION_MANAGER (object);

  switch (prop_id) {
  case PROP_INTERACTION:
    tether_session_manager_set_interaction (self, g_value_get_object (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_session_manager_class_init (TetherSessionManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tether_session_manager_dispose;
  object_class->finalize = tether_session_manager_finalize;
  object_class->get_property = tether_session_manager_get_property;
  object_class->set_property = tether_session_manager_set_property;

  /**
   * TetherSessionManager:interaction:
   *
   * The interaction new sessions get (see #TetherHostSession:interaction).
   */
  properties[PROP_INTERACTION] =
    g_param_spec_object ("interaction", NULL, NULL, TETHER_TYPE_INTERACTION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherSessionManager:n-items:
   *
   * The number of sessions in the list.
   */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_session_manager_init (TetherSessionManager *self)
{
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->auto_forwards = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}

/**
 * tether_session_manager_new:
 *
 * Makes an empty list of host sessions.
 *
 * Returns: (transfer full): a new #TetherSessionManager
 */
TetherSessionManager *
tether_session_manager_new (void)
{
  return g_object_new (TETHER_TYPE_SESSION_MANAGER, NULL);
}

/**
 * tether_session_manager_lookup:
 * @self: a #TetherSessionManager
 * @host: a saved host
 *
 * Finds the session of @host, matched by its identity (see
 * tether_host_session_dup_key_for_host()), not by its address.
 *
 * Returns: (transfer none) (nullable): the session, or %NULL
 */
TetherHostSession *
tether_session_manager_lookup (TetherSessionManager *self,
                               TetherHost           *host)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (TETHER_IS_SESSION_MANAGER (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  key = tether_host_session_dup_key_for_host (host);
  return g_hash_table_lookup (self->by_key, key);
}

/**
 * tether_session_manager_get_auto_forward:
 * @self: a #TetherSessionManager
 * @session: a session of the list
 *
 * Finds the forwarder of the ports that start listening on @session's server. Each
 * session of the list has one; it acts only while its host asks for it
 * (#TetherHost:auto-forward-ports).
 *
 * Returns: (transfer none) (nullable): the forwarder, or %NULL when @session is not in the list
 */
TetherAutoForward *
tether_session_manager_get_auto_forward (TetherSessionManager *self,
                                         TetherHostSession    *session)
{
  g_return_val_if_fail (TETHER_IS_SESSION_MANAGER (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  return g_hash_table_lookup (self->auto_forwards, session);
}

/**
 * tether_session_manager_lookup_or_create:
 * @self: a #TetherSessionManager
 * @host: a saved host
 *
 * Finds the session of @host, or makes one (not connected yet) and adds it
 * to the list. The new session gets #TetherSessionManager:interaction.
 *
 * Returns: (transfer none): the session
 */
TetherHostSession *
tether_session_manager_lookup_or_create (TetherSessionManager *self,
                                         TetherHost           *host)
{
  TetherHostSession *session;

  g_return_val_if_fail (TETHER_IS_SESSION_MANAGER (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  session = tether_session_manager_lookup (self, host);
  if (session != NULL)
    return session;

  session = tether_host_session_new (host);
  tether_host_session_set_interaction (session, self->interaction);
  g_ptr_array_add (self->sessions, session);
  g_hash_table_insert (self->by_key, tether_host_session_dup_key_for_host (host), session);
  g_hash_table_insert (self->auto_forwards, session, tether_auto_forward_new (session));
  g_signal_connect (session, "notify::state", G_CALLBACK (on_session_changed), self);
  g_signal_connect (session, "notify::n-riders", G_CALLBACK (on_session_changed), self);
  g_signal_connect (session, "notify::held", G_CALLBACK (on_session_changed), self);
  g_list_model_items_changed (G_LIST_MODEL (self), self->sessions->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return session;
}

/**
 * tether_session_manager_get_interaction:
 * @self: a #TetherSessionManager
 *
 * Gets the interaction new sessions get.
 *
 * Returns: (transfer none) (nullable): the interaction new sessions get
 */
TetherInteraction *
tether_session_manager_get_interaction (TetherSessionManager *self)
{
  g_return_val_if_fail (TETHER_IS_SESSION_MANAGER (self), NULL);
  return self->interaction;
}

/**
 * tether_session_manager_set_interaction:
 * @self: a #TetherSessionManager
 * @interaction: (nullable): how sessions ask the user
 *
 * Sets the interaction of sessions made from now on.
 */
void
tether_session_manager_set_interaction (TetherSessionManager *self,
                                        TetherInteraction    *interaction)
{
  g_return_if_fail (TETHER_IS_SESSION_MANAGER (self));
  g_return_if_fail (interaction == NULL || TETHER_IS_INTERACTION (interaction));

  if (g_set_object (&self->interaction, interaction))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERACTION]);
}
