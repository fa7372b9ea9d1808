/* tether-host-store.h: the saved hosts, from ~/.ssh/config and Tether's own hosts file. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-host.h"

G_BEGIN_DECLS

#define TETHER_TYPE_HOST_STORE (tether_host_store_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherHostStore, tether_host_store, TETHER, HOST_STORE, GObject)

TETHER_AVAILABLE_IN_ALL
TetherHostStore *tether_host_store_new                  (void);
TETHER_AVAILABLE_IN_ALL
TetherHostStore *tether_host_store_new_for_paths        (const char           *ssh_config_path,
                                                         const char           *hosts_path);

TETHER_AVAILABLE_IN_ALL
const char      *tether_host_store_get_ssh_config_path  (TetherHostStore      *self);
TETHER_AVAILABLE_IN_ALL
const char      *tether_host_store_get_hosts_path       (TetherHostStore      *self);
TETHER_AVAILABLE_IN_ALL
const GError    *tether_host_store_get_load_error       (TetherHostStore      *self);
TETHER_AVAILABLE_IN_ALL
GPtrArray       *tether_host_store_get_config_errors    (TetherHostStore      *self);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_get_loaded           (TetherHostStore      *self);

TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_load_file            (TetherHostStore      *self,
                                                         GFile                *file,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void             tether_host_store_load_default_async   (TetherHostStore      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_load_default_finish  (TetherHostStore      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

TETHER_AVAILABLE_IN_ALL
TetherHost      *tether_host_store_lookup               (TetherHostStore      *self,
                                                         const char           *name);
TETHER_AVAILABLE_IN_ALL
TetherHost      *tether_host_store_find_by_id           (TetherHostStore      *self,
                                                         const char           *id);

TETHER_AVAILABLE_IN_ALL
void             tether_host_store_add_async            (TetherHostStore      *self,
                                                         TetherHost           *host,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_add_finish           (TetherHostStore      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void             tether_host_store_update_async         (TetherHostStore      *self,
                                                         TetherHost           *host,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_update_finish        (TetherHostStore      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void             tether_host_store_remove_async         (TetherHostStore      *self,
                                                         TetherHost           *host,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_remove_finish        (TetherHostStore      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void             tether_host_store_restore_async        (TetherHostStore      *self,
                                                         TetherHost           *host,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_restore_finish       (TetherHostStore      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
TETHER_AVAILABLE_IN_ALL
void             tether_host_store_duplicate_async      (TetherHostStore      *self,
                                                         TetherHost           *host,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
TetherHost      *tether_host_store_duplicate_finish     (TetherHostStore      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_offer_include_line   (TetherHostStore      *self);
TETHER_AVAILABLE_IN_ALL
char            *tether_host_store_dup_include_line     (TetherHostStore      *self);
TETHER_AVAILABLE_IN_ALL
void             tether_host_store_add_include_async    (TetherHostStore      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_host_store_add_include_finish   (TetherHostStore      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
