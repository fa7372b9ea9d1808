/* tether-forward-list.c: the forwards of one host session, as a GListModel: those of the
 * host's configuration first, then the ones added live.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tether-forward-private.h"
#include "tether-host.h"

/**
 * TetherForwardList:
 *
 * The [class@Tether.Forward]s of one [class@Tether.HostSession], as a
 * [iface@Gio.ListModel]; get it with [method@Tether.HostSession.get_forwards].
 *
 * It starts with the host's `LocalForward`, `RemoteForward` and `DynamicForward` lines.
 * Those are pinned (started on every login, as `ssh` starts them) unless the host is saved
 * in Tether's own hosts file without `#@tether auto-start-forwards=yes`
 * ([property@Tether.Host:auto-start-forwards]): there they wait to be started. A line
 * Tether cannot forward (a Unix socket) is left out, with a message in the log.
 *
 * Forwards are added with [method@Tether.ForwardList.add] or
 * [method@Tether.ForwardList.add_spec] and removed, which stops them, with
 * [method@Tether.ForwardList.remove].
 */

struct _TetherForwardList
{
  GObject parent_instance;

  /* The session owns the list: no reference. NULL once detached. */
  TetherHostSession *session;
  GPtrArray *forwards;
};

static void tether_forward_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TetherForwardList, tether_forward_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tether_forward_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
list_get_item_type (GListModel *model)
{
  return TETHER_TYPE_FORWARD;
}

static guint
list_get_n_items (GListModel *model)
{
  return TETHER_FORWARD_LIST (model)->forwards->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  TetherForwardList *self = TETHER_FORWARD_LIST (model);

  if (position >= self->forwards->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->forwards, position));
}

static void
tether_forward_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
tether_forward_list_finalize (GObject *object)
{
  TetherForwardList *self = TETHER_FORWARD_LIST (object);

  g_assert (self->session == NULL);
  g_ptr_array_unref (self->forwards);
  G_OBJECT_CLASS (tether_forward_list_parent_class)->finalize (object);
}

static void
tether_forward_list_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TetherForwardList *self = TETHER_FORWARD_LIST (object);

  switch (prop_id) {
  case PROP_N_ITEMS:
    g_value_set_uint (value, self->forwards->len);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_forward_list_class_init (TetherForwardListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tether_forward_list_finalize;
  object_class->get_property = tether_forward_list_get_property;

  /**
   * TetherForwardList:n-items:
   *
   * The number of forwards.
   */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_forward_list_init (TetherForwardList *self)
{
  self->forwards = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
append (TetherForwardList *self,
        TetherForward     *forward)
{
  g_ptr_array_add (self->forwards, g_object_ref (forward));
  if (self->session != NULL)
    _tether_forward_attach (forward, self->session);
  g_list_model_items_changed (G_LIST_MODEL (self), self->forwards->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
add_from_config (TetherForwardList  *self,
                 TetherForwardKind   kind,
                 const char * const *specs,
                 gboolean            pinned)
{
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(TetherForwardSpec) spec = tether_forward_spec_parse (kind, specs[i], &error);

    if (spec == NULL) {
      g_message ("%s %s of %s is left out: %s", tether_forward_kind_to_keyword (kind), specs[i],
                 tether_host_get_alias (tether_host_session_get_host (self->session)),
                 error->message);
      continue;
    }
    g_object_unref (tether_forward_list_add_spec (self, spec, pinned));
  }
}

TetherForwardList *
_tether_forward_list_new (TetherHostSession *session)
{
  TetherForwardList *self = g_object_new (TETHER_TYPE_FORWARD_LIST, NULL);
  TetherHost *host = tether_host_session_get_host (session);
  /* ssh starts the forwards of its configuration with every connection; Tether's own hosts
   * file says whether to, and by default they wait for the user. */
  gboolean pinned = tether_host_get_auto_start_forwards (host) ||
                    tether_host_get_source (host) != TETHER_HOST_SOURCE_TETHER;

  self->session = session;
  add_from_config (self, TETHER_FORWARD_KIND_LOCAL, tether_host_get_local_forwards (host),
                   pinned);
  add_from_config (self, TETHER_FORWARD_KIND_REMOTE, tether_host_get_remote_forwards (host),
                   pinned);
  add_from_config (self, TETHER_FORWARD_KIND_DYNAMIC, tether_host_get_dynamic_forwards (host),
                   pinned);
  return self;
}

/* The session ends: its forwards stop and leave it. */
void
_tether_forward_list_detach (TetherForwardList *self)
{
  for (guint i = 0; i < self->forwards->len; i++)
    _tether_forward_detach (g_ptr_array_index (self->forwards, i));
  self->session = NULL;
}

/**
 * tether_forward_list_add_spec:
 * @self: a #TetherForwardList
 * @spec: the forward to add
 * @pinned: whether it starts on every login (and now, if the session is logged in)
 *
 * Adds a forward made from @spec at the end of the list.
 *
 * Returns: (transfer full): the new forward
 */
TetherForward *
tether_forward_list_add_spec (TetherForwardList       *self,
                              const TetherForwardSpec *spec,
                              gboolean                 pinned)
{
  g_autoptr(TetherForward) forward = NULL;

  g_return_val_if_fail (TETHER_IS_FORWARD_LIST (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  forward = tether_forward_new_from_spec (spec);
  tether_forward_set_pinned (forward, pinned);
  append (self, forward);
  return g_steal_pointer (&forward);
}

/**
 * tether_forward_list_add:
 * @self: a #TetherForwardList
 * @forward: a forward in no list yet
 *
 * Adds @forward at the end of the list. A pinned forward starts now if the session is
 * logged in; others wait for tether_forward_start().
 */
void
tether_forward_list_add (TetherForwardList *self,
                         TetherForward     *forward)
{
  g_return_if_fail (TETHER_IS_FORWARD_LIST (self));
  g_return_if_fail (TETHER_IS_FORWARD (forward));

  for (guint i = 0; i < self->forwards->len; i++)
    g_return_if_fail (g_ptr_array_index (self->forwards, i) != forward);
  append (self, forward);
}

/**
 * tether_forward_list_remove:
 * @self: a #TetherForwardList
 * @forward: a forward of the list
 *
 * Stops @forward and takes it out of the list.
 */
void
tether_forward_list_remove (TetherForwardList *self,
                            TetherForward     *forward)
{
  guint position;

  g_return_if_fail (TETHER_IS_FORWARD_LIST (self));
  g_return_if_fail (TETHER_IS_FORWARD (forward));

  if (!g_ptr_array_find (self->forwards, forward, &position))
    return;
  tether_forward_stop (forward);
  _tether_forward_detach (forward);
  g_ptr_array_remove_index (self->forwards, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/**
 * tether_forward_list_replace_spec:
 * @self: a #TetherForwardList
 * @forward: a forward of the list
 * @spec: the forward to put in its place
 * @pinned: whether the new forward starts on every login (and now, if the session is logged
 *   in)
 *
 * Stops @forward and puts a forward made from @spec at its position, so that a forward the
 * user edits stays where it was in the list. @forward stops first, so that the new one can
 * take its port. A forward's ports and kind are fixed when it is made: this is how one
 * changes.
 *
 * Returns: (transfer full) (nullable): the new forward, or %NULL when @forward is not in
 *   the list
 */
TetherForward *
tether_forward_list_replace_spec (TetherForwardList       *self,
                                  TetherForward           *forward,
                                  const TetherForwardSpec *spec,
                                  gboolean                 pinned)
{
  g_autoptr(TetherForward) replaced = NULL;
  g_autoptr(TetherForward) added = NULL;
  guint position;

  g_return_val_if_fail (TETHER_IS_FORWARD_LIST (self), NULL);
  g_return_val_if_fail (TETHER_IS_FORWARD (forward), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  if (!g_ptr_array_find (self->forwards, forward, &position))
    return NULL;
  replaced = g_object_ref (forward);
  tether_forward_stop (replaced);
  _tether_forward_detach (replaced);

  added = tether_forward_new_from_spec (spec);
  tether_forward_set_pinned (added, pinned);
  /* The slot's reference goes; @replaced keeps @forward alive until it is detached. */
  g_object_unref (g_ptr_array_index (self->forwards, position));
  g_ptr_array_index (self->forwards, position) = g_object_ref (added);
  if (self->session != NULL)
    _tether_forward_attach (added, self->session);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);

  return g_steal_pointer (&added);
}
