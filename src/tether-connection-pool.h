/* tether-connection-pool.h: one shared SSH connection per host for all of the app's tabs. */
#pragma once

#include <gio/gio.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_CONNECTION_POOL (tether_connection_pool_get_type ())
G_DECLARE_FINAL_TYPE (TetherConnectionPool, tether_connection_pool, TETHER, CONNECTION_POOL, GObject)

TetherConnectionPool *tether_connection_pool_new            (void);
TetherConnectionPool *tether_connection_pool_get_default    (void);

char                 *tether_connection_pool_dup_key        (TetherHost            *host);

void                  tether_connection_pool_acquire_async  (TetherConnectionPool  *self,
                                                             TetherHost            *host,
                                                             TetherInteraction     *interaction,
                                                             GCancellable          *cancellable,
                                                             GAsyncReadyCallback    callback,
                                                             gpointer               user_data);
TetherConnection     *tether_connection_pool_acquire_finish (TetherConnectionPool  *self,
                                                             GAsyncResult          *result,
                                                             GError               **error);
void                  tether_connection_pool_release        (TetherConnectionPool  *self,
                                                             TetherConnection      *connection);
void                  tether_connection_pool_discard        (TetherConnectionPool  *self,
                                                             TetherConnection      *connection);

TetherConnection     *tether_connection_pool_lookup         (TetherConnectionPool  *self,
                                                             TetherHost            *host);
guint                 tether_connection_pool_get_n_users    (TetherConnectionPool  *self,
                                                             TetherConnection      *connection);

G_END_DECLS
