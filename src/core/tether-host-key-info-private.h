/* tether-host-key-info-private.h: made by the connection service only. */
#pragma once

#include "tether-host-key-info.h"

G_BEGIN_DECLS

TetherHostKeyInfo *_tether_host_key_info_new (const char          *hostname,
                                              guint                port,
                                              const char          *key_type,
                                              const char          *fingerprint,
                                              const char          *randomart,
                                              TetherHostKeyStatus  status,
                                              const char          *old_key_type,
                                              const char          *old_fingerprint,
                                              const char          *known_hosts_file,
                                              guint                known_hosts_line);

G_END_DECLS
