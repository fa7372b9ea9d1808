/* tether-host-key-info.h: what a user needs to decide whether to trust a server's host key. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <glib-object.h>

#include "tether-version.h"

G_BEGIN_DECLS

/**
 * TetherHostKeyStatus:
 * @TETHER_HOST_KEY_STATUS_KNOWN: the key is in a known_hosts file
 * @TETHER_HOST_KEY_STATUS_UNKNOWN: the host is not in any known_hosts file
 * @TETHER_HOST_KEY_STATUS_CHANGED: the host is known with another key of the same type:
 *   the server may be an impostor
 * @TETHER_HOST_KEY_STATUS_OTHER_TYPE: the host is known only with keys of other types
 * @TETHER_HOST_KEY_STATUS_REVOKED: the key is marked `@revoked`
 *
 * How a server's host key compares with the known_hosts files.
 */
typedef enum {
  TETHER_HOST_KEY_STATUS_KNOWN,
  TETHER_HOST_KEY_STATUS_UNKNOWN,
  TETHER_HOST_KEY_STATUS_CHANGED,
  TETHER_HOST_KEY_STATUS_OTHER_TYPE,
  TETHER_HOST_KEY_STATUS_REVOKED,
} TetherHostKeyStatus;

/**
 * TetherHostKeyDecision:
 * @TETHER_HOST_KEY_DECISION_REJECT: do not connect
 * @TETHER_HOST_KEY_DECISION_ACCEPT_ONCE: connect this time, remember nothing
 * @TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE: connect and write the key to
 *   known_hosts; for a changed key this replaces the old line (and only it)
 *
 * What the user decided about a host key.
 */
typedef enum {
  TETHER_HOST_KEY_DECISION_REJECT,
  TETHER_HOST_KEY_DECISION_ACCEPT_ONCE,
  TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE,
} TetherHostKeyDecision;

#define TETHER_TYPE_HOST_KEY_INFO (tether_host_key_info_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherHostKeyInfo, tether_host_key_info, TETHER, HOST_KEY_INFO, GObject)

TETHER_AVAILABLE_IN_ALL
const char          *tether_host_key_info_get_hostname         (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
guint                tether_host_key_info_get_port             (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
const char          *tether_host_key_info_get_key_type         (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
const char          *tether_host_key_info_get_fingerprint      (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
const char          *tether_host_key_info_get_randomart        (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
TetherHostKeyStatus  tether_host_key_info_get_status           (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
const char          *tether_host_key_info_get_old_fingerprint  (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
const char          *tether_host_key_info_get_old_key_type     (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
const char          *tether_host_key_info_get_known_hosts_file (TetherHostKeyInfo *self);
TETHER_AVAILABLE_IN_ALL
guint                tether_host_key_info_get_known_hosts_line (TetherHostKeyInfo *self);

G_END_DECLS
