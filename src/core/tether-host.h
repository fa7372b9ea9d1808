/* tether-host.h: what a connection needs to know about one SSH host. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

G_BEGIN_DECLS

/**
 * TETHER_DEFAULT_PORT:
 *
 * The port SSH servers listen on unless told otherwise (RFC 4253).
 */
#define TETHER_DEFAULT_PORT 22

/**
 * TetherHostSource:
 * @TETHER_HOST_SOURCE_NONE: made in code or from a command line; not saved
 * @TETHER_HOST_SOURCE_SSH_CONFIG: read from the user's `~/.ssh/config` (read-only)
 * @TETHER_HOST_SOURCE_TETHER: saved in Tether's own hosts file
 *
 * Where a #TetherHost comes from.
 */
typedef enum {
  TETHER_HOST_SOURCE_NONE,
  TETHER_HOST_SOURCE_SSH_CONFIG,
  TETHER_HOST_SOURCE_TETHER,
} TetherHostSource;

#define TETHER_TYPE_HOST (tether_host_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherHost, tether_host, TETHER, HOST, GObject)

TETHER_AVAILABLE_IN_ALL
TetherHost   *tether_host_new                     (const char  *alias);
TETHER_AVAILABLE_IN_ALL
TetherHost   *tether_host_new_for_destination     (const char  *destination,
                                                   GError     **error);
TETHER_AVAILABLE_IN_ALL
TetherHost   *tether_host_copy                    (TetherHost  *self);

TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_alias               (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_label               (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_label               (TetherHost  *self,
                                                   const char  *label);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_display_name        (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_group               (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_group               (TetherHost  *self,
                                                   const char  *group);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_hostname            (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_hostname            (TetherHost  *self,
                                                   const char  *hostname);
TETHER_AVAILABLE_IN_ALL
guint         tether_host_get_port                (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_host_has_port                (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_port                (TetherHost  *self,
                                                   guint        port);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_user                (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_user                (TetherHost  *self,
                                                   const char  *user);
TETHER_AVAILABLE_IN_ALL
const char * const *tether_host_get_identity_files    (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_identity_files      (TetherHost  *self,
                                                   const char * const *files);
TETHER_AVAILABLE_IN_ALL
const char * const *tether_host_get_certificate_files (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_certificate_files   (TetherHost  *self,
                                                   const char * const *files);
TETHER_AVAILABLE_IN_ALL
const char * const *tether_host_get_preferred_authentications (TetherHost *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_preferred_authentications (TetherHost *self,
                                                   const char * const *methods);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_host_get_identities_only     (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_identities_only     (TetherHost  *self,
                                                   gboolean     identities_only);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_proxy_jump          (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_proxy_jump          (TetherHost  *self,
                                                   const char  *proxy_jump);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_proxy_command       (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_proxy_command       (TetherHost  *self,
                                                   const char  *proxy_command);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_host_get_forward_agent       (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_forward_agent       (TetherHost  *self,
                                                   gboolean     forward_agent);
TETHER_AVAILABLE_IN_ALL
guint         tether_host_get_server_alive_interval (TetherHost *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_server_alive_interval (TetherHost *self,
                                                   guint        seconds);
TETHER_AVAILABLE_IN_ALL
guint         tether_host_get_connect_timeout     (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_connect_timeout     (TetherHost  *self,
                                                   guint        seconds);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_known_hosts_file    (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_known_hosts_file    (TetherHost  *self,
                                                   const char  *path);
TETHER_AVAILABLE_IN_ALL
TetherHostSource tether_host_get_source           (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_source              (TetherHost  *self,
                                                   TetherHostSource source);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_id                  (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_id                  (TetherHost  *self,
                                                   const char  *id);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_colour              (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_colour              (TetherHost  *self,
                                                   const char  *colour);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_palette             (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_palette             (TetherHost  *self,
                                                   const char  *palette);
TETHER_AVAILABLE_IN_ALL
const char * const *tether_host_get_local_forwards   (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_local_forwards      (TetherHost  *self,
                                                   const char * const *forwards);
TETHER_AVAILABLE_IN_ALL
const char * const *tether_host_get_remote_forwards  (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_remote_forwards     (TetherHost  *self,
                                                   const char * const *forwards);
TETHER_AVAILABLE_IN_ALL
const char * const *tether_host_get_dynamic_forwards (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_dynamic_forwards    (TetherHost  *self,
                                                   const char * const *forwards);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_host_get_auto_start_forwards (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_auto_start_forwards (TetherHost  *self,
                                                   gboolean     auto_start);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_host_get_keep_shells         (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_keep_shells         (TetherHost  *self,
                                                   gboolean     keep_shells);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_host_get_auto_forward_ports  (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_auto_forward_ports  (TetherHost  *self,
                                                   gboolean     auto_forward);
TETHER_AVAILABLE_IN_ALL
const char   *tether_host_get_auto_forward_ports_filter (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_set_auto_forward_ports_filter (TetherHost  *self,
                                                         const char  *filter);
TETHER_AVAILABLE_IN_ALL
char         *tether_host_dup_destination         (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
char         *tether_host_dup_effective_user      (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_host_has_pending_match_exec  (TetherHost  *self);
TETHER_AVAILABLE_IN_ALL
void          tether_host_resolve_async           (TetherHost          *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
TetherHost   *tether_host_resolve_finish          (TetherHost          *self,
                                                   GAsyncResult        *result,
                                                   char              ***warnings,
                                                   GError             **error);

G_END_DECLS
