/* tether-ssh-keywords.c: the table of ssh_config keywords and #@tether keys Tether knows.
 *
 * The rows are in the order hosts.conf writes them (see serialize_host ()).
 */
#include "config.h"

#include <string.h>

#include "tether-ssh-config-private.h"
#include "tether-ssh-keywords-private.h"

const KeywordInfo tether_ssh_keywords[N_KEYWORDS] = {
  { KW_UNKNOWN, NULL, NULL, VALUE_WORD, NULL, 0 },
  { KW_HOST, "host", "Host", VALUE_NONE, NULL, 0 },
  { KW_MATCH, "match", "Match", VALUE_NONE, NULL, 0 },
  { KW_INCLUDE, "include", "Include", VALUE_FILES, NULL, 0 },
  { KW_HOSTNAME, "hostname", "HostName", VALUE_WORD, "hostname", KW_FLAG_RESOLVED },
  { KW_USER, "user", "User", VALUE_WORD, "user", KW_FLAG_RESOLVED },
  { KW_PORT, "port", "Port", VALUE_PORT, "port", KW_FLAG_RESOLVED },
  { KW_IDENTITY_FILE, "identityfile", "IdentityFile", VALUE_WORD, "identity-files",
    KW_FLAG_REPEATS | KW_FLAG_RESOLVED },
  { KW_CERTIFICATE_FILE, "certificatefile", "CertificateFile", VALUE_WORD, "certificate-files",
    KW_FLAG_REPEATS | KW_FLAG_RESOLVED },
  { KW_IDENTITIES_ONLY, "identitiesonly", "IdentitiesOnly", VALUE_FLAG, "identities-only",
    KW_FLAG_KEEP_UNSET },
  { KW_PROXY_JUMP, "proxyjump", "ProxyJump", VALUE_JUMPS, "proxy-jump", 0 },
  { KW_PROXY_COMMAND, "proxycommand", "ProxyCommand", VALUE_LINE, "proxy-command",
    KW_FLAG_RESOLVED },
  { KW_FORWARD_AGENT, "forwardagent", "ForwardAgent", VALUE_AGENT, "forward-agent",
    KW_FLAG_KEEP_UNSET },
  { KW_SERVER_ALIVE_INTERVAL, "serveraliveinterval", "ServerAliveInterval", VALUE_TIME,
    "server-alive-interval", KW_FLAG_KEEP_UNSET },
  { KW_CONNECT_TIMEOUT, "connecttimeout", "ConnectTimeout", VALUE_TIME, "connect-timeout",
    KW_FLAG_KEEP_UNSET },
  { KW_USER_KNOWN_HOSTS_FILE, "userknownhostsfile", "UserKnownHostsFile", VALUE_FILES,
    "known-hosts-file", KW_FLAG_RESOLVED },
  { KW_PREFERRED_AUTHENTICATIONS, "preferredauthentications", "PreferredAuthentications",
    VALUE_LIST, "preferred-authentications", 0 },
  { KW_LOCAL_FORWARD, "localforward", "LocalForward", VALUE_FORWARD, "local-forwards",
    KW_FLAG_REPEATS },
  { KW_REMOTE_FORWARD, "remoteforward", "RemoteForward", VALUE_FORWARD, "remote-forwards",
    KW_FLAG_REPEATS },
  { KW_DYNAMIC_FORWARD, "dynamicforward", "DynamicForward", VALUE_FORWARD, "dynamic-forwards",
    KW_FLAG_REPEATS },
  { KW_CANONICALIZE_HOSTNAME, "canonicalizehostname", "CanonicalizeHostname", VALUE_CANONICAL,
    NULL, 0 },
  { KW_HOST_KEY_ALIAS, "hostkeyalias", "HostKeyAlias", VALUE_WORD, NULL, 0 },
};

const MetaInfo tether_ssh_meta_keys[] = {
  { "id", "id", 0 },
  { "label", "label", META_FLAG_RESOLVED },
  { "group", "group", META_FLAG_RESOLVED },
  { "colour", "colour", 0 },
  { "auto-start-forwards", "auto-start-forwards", META_FLAG_BOOLEAN },
  { "keep-shells", "keep-shells", META_FLAG_BOOLEAN },
  { "auto-forward-ports", "auto-forward-ports", META_FLAG_BOOLEAN },
  { "auto-forward-ports-filter", "auto-forward-ports-filter", 0 },
  { "palette", "palette", 0 },
};

const guint tether_ssh_n_meta_keys = G_N_ELEMENTS (tether_ssh_meta_keys);

/* The row of LOWER_NAME; the KW_UNKNOWN row for a keyword Tether does not interpret. */
const KeywordInfo *
_tether_ssh_keyword_lookup (const char *lower_name)
{
  for (guint i = KW_UNKNOWN + 1; i < N_KEYWORDS; i++) {
    if (strcmp (tether_ssh_keywords[i].name, lower_name) == 0)
      return &tether_ssh_keywords[i];
  }
  return &tether_ssh_keywords[KW_UNKNOWN];
}

/* A #@tether yes: yes, true or 1. */
gboolean
_tether_ssh_parse_yes (const char *text)
{
  return text != NULL && (g_ascii_strcasecmp (text, "yes") == 0 ||
                          g_ascii_strcasecmp (text, "true") == 0 ||
                          strcmp (text, "1") == 0);
}

/* ProxyJump's value up to a comment, as ssh reads it. */
char *
_tether_ssh_jump_value (const char *value)
{
  char *jumps = g_strdup (value);

  if (strchr (jumps, '#') != NULL)
    *strchr (jumps, '#') = '\0';
  return g_strchomp (jumps);
}

/* The property value of a keyword's VALUE (the line as written) whose first word is ARG, in
 * OUT (unset on entry). FALSE when the value does not give one. */
gboolean
_tether_ssh_keyword_to_value (const KeywordInfo *info,
                              const char        *value,
                              const char        *arg,
                              GValue            *out)
{
  int port;

  if (info->kind != VALUE_LINE && arg == NULL)
    return FALSE;

  switch (info->kind) {
  case VALUE_WORD:
  case VALUE_FILES:
    g_value_init (out, G_TYPE_STRING);
    g_value_set_string (out, arg);
    return TRUE;
  case VALUE_LINE:
    g_value_init (out, G_TYPE_STRING);
    g_value_set_string (out, value);
    return TRUE;
  case VALUE_JUMPS:
    g_value_init (out, G_TYPE_STRING);
    g_value_take_string (out, _tether_ssh_jump_value (value));
    return TRUE;
  case VALUE_FLAG:
    g_value_init (out, G_TYPE_BOOLEAN);
    g_value_set_boolean (out, parse_flag (arg) == 1);
    return TRUE;
  case VALUE_AGENT:
    g_value_init (out, G_TYPE_BOOLEAN);
    g_value_set_boolean (out, parse_flag (arg) != 0);
    return TRUE;
  case VALUE_PORT:
    if (!parse_port (arg, &port))
      return FALSE;
    g_value_init (out, G_TYPE_UINT);
    g_value_set_uint (out, (guint) port);
    return TRUE;
  case VALUE_TIME:
    g_value_init (out, G_TYPE_UINT);
    g_value_set_uint (out, (guint) MAX (parse_time (arg), 0));
    return TRUE;
  case VALUE_LIST:
    g_value_init (out, G_TYPE_STRV);
    g_value_take_boxed (out, g_strsplit (arg, ",", -1));
    return TRUE;
  case VALUE_NONE:
  case VALUE_CANONICAL:
  case VALUE_FORWARD:
  default:
    return FALSE;
  }
}

/* Sets META's property of HOST from a #@tether VALUE (NULL: unset). */
void
_tether_ssh_meta_apply (TetherHost     *host,
                        const MetaInfo *meta,
                        const char     *value)
{
  if (meta->flags & META_FLAG_BOOLEAN)
    g_object_set (host, meta->property, _tether_ssh_parse_yes (value), NULL);
  else
    g_object_set (host, meta->property, value, NULL);
}

/* META's value for a #@tether line of HOST, or NULL for none. */
char *
_tether_ssh_meta_format (TetherHost     *host,
                         const MetaInfo *meta)
{
  char *value = NULL;
  gboolean on = FALSE;

  if (meta->flags & META_FLAG_BOOLEAN) {
    g_object_get (host, meta->property, &on, NULL);
    return on ? g_strdup ("yes") : NULL;
  }
  g_object_get (host, meta->property, &value, NULL);
  return value;
}

/* Copies to TO what FROM's own block says beyond ssh_config (the id, the colour...): what
 * resolving again, which gathers only the options and the label and group, leaves out. */
void
_tether_ssh_meta_copy_own (TetherHost *to,
                           TetherHost *from)
{
  for (guint m = 0; m < tether_ssh_n_meta_keys; m++) {
    const MetaInfo *meta = &tether_ssh_meta_keys[m];
    g_auto(GValue) value = G_VALUE_INIT;

    if (meta->flags & META_FLAG_RESOLVED)
      continue;
    g_object_get_property (G_OBJECT (from), meta->property, &value);
    g_object_set_property (G_OBJECT (to), meta->property, &value);
  }
}
