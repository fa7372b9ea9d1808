/* tether-host-private.h: what libtether sets on a TetherHost beyond its properties. */
#pragma once

#include "tether-host.h"

G_BEGIN_DECLS

/* The host was resolved without running `Match exec` commands that could
 * apply: CONFIG (a TetherSshConfig) resolves ALIAS again running them. */
void      _tether_host_set_pending_exec (TetherHost *self,
                                         GObject    *config,
                                         const char *alias);
GObject  *_tether_host_get_exec_config  (TetherHost *self);
const char *_tether_host_get_exec_alias (TetherHost *self);

G_END_DECLS
