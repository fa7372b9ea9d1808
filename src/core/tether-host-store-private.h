/* tether-host-store-private.h: what the host store's files and its tests share. */
#pragma once

#include "tether-host-store.h"

G_BEGIN_DECLS

guint _tether_host_store_get_n_lookup_reads (TetherHostStore *self);

G_END_DECLS
