/* tether-host-private.h: what libtether sets on a TetherHost beyond its properties. */
#pragma once

#include "tether-host.h"

G_BEGIN_DECLS

struct _TetherHost
{
  GObject parent_instance;

  char *alias;
  char *id;
  char *label;
  char *group;
  char *hostname;
  guint port;
  char *user;
  GStrv identity_files;
  GStrv certificate_files;
  gboolean identities_only;
  char *proxy_jump;
  char *proxy_command;
  gboolean forward_agent;
  guint server_alive_interval;
  guint connect_timeout;
  GStrv preferred_authentications;
  char *known_hosts_file;
  TetherHostSource source;
  char *colour;
  GStrv local_forwards;
  GStrv remote_forwards;
  GStrv dynamic_forwards;
  gboolean auto_start_forwards;
  gboolean keep_shells;
  gboolean auto_forward_ports;
  char *auto_forward_ports_filter;
  char *palette;
  GObject *exec_config;  /* TetherSshConfig with Match exec left to run, or NULL */
  char *exec_alias;
};

enum {
  PROP_0,
  PROP_ALIAS,
  PROP_LABEL,
  PROP_DISPLAY_NAME,
  PROP_GROUP,
  PROP_HOSTNAME,
  PROP_PORT,
  PROP_USER,
  PROP_IDENTITY_FILES,
  PROP_CERTIFICATE_FILES,
  PROP_IDENTITIES_ONLY,
  PROP_PROXY_JUMP,
  PROP_PROXY_COMMAND,
  PROP_FORWARD_AGENT,
  PROP_SERVER_ALIVE_INTERVAL,
  PROP_CONNECT_TIMEOUT,
  PROP_PREFERRED_AUTHENTICATIONS,
  PROP_KNOWN_HOSTS_FILE,
  PROP_SOURCE,
  PROP_ID,
  PROP_COLOUR,
  PROP_LOCAL_FORWARDS,
  PROP_REMOTE_FORWARDS,
  PROP_DYNAMIC_FORWARDS,
  PROP_AUTO_START_FORWARDS,
  PROP_KEEP_SHELLS,
  PROP_AUTO_FORWARD_PORTS,
  PROP_AUTO_FORWARD_PORTS_FILTER,
  PROP_PALETTE,
  N_PROPS
};

/* Shared by the files of TetherHost (tether-host.c and tether-host-accessors.c). */
extern GParamSpec *_tether_host_properties[N_PROPS];

void        _tether_host_set_string      (TetherHost          *self,
                                          char               **field,
                                          const char          *value,
                                          guint                prop);
void        _tether_host_set_strv        (TetherHost          *self,
                                          GStrv               *field,
                                          const char * const  *value,
                                          guint                prop);
void        _tether_host_set_uint        (TetherHost          *self,
                                          guint               *field,
                                          guint                value,
                                          guint                prop);
void        _tether_host_set_bool        (TetherHost          *self,
                                          gboolean            *field,
                                          gboolean             value,
                                          guint                prop);
TetherHost *_tether_host_copy_with_alias (TetherHost          *self,
                                          const char          *alias);


/* The host was resolved without running `Match exec` commands that could
 * apply: CONFIG (a TetherSshConfig) resolves ALIAS again running them. */
void      _tether_host_set_pending_exec (TetherHost *self,
                                         GObject    *config,
                                         const char *alias);
GObject  *_tether_host_get_exec_config  (TetherHost *self);
const char *_tether_host_get_exec_alias (TetherHost *self);

G_END_DECLS
