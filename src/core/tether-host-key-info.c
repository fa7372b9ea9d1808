/* tether-host-key-info.c: a server's host key and how it compares with known_hosts. */
#include "config.h"

#include "tether-enums.h"
#include "tether-host-key-info.h"
#include "tether-host-key-info-private.h"

/**
 * TetherHostKeyInfo:
 *
 * A server's host key, and how it compares with the known_hosts files.
 *
 * A [class@Tether.Connection] makes one during the key exchange and hands it to
 * [method@Tether.Interaction.verify_host_key_async] when the key is not known or
 * has changed, so that the user can compare the fingerprint (SHA256, as `ssh`
 * prints it) and the randomart with what they expect.
 * [property@Tether.HostKeyInfo:status] says whether the key is known, unknown,
 * changed, or known only with another type; for a changed key the old fingerprint
 * and the known_hosts line that holds it are there too. It is read-only.
 *
 * Threading: immutable once made; it may be read from any thread.
 */

struct _TetherHostKeyInfo
{
  GObject parent_instance;

  char *hostname;
  guint port;
  char *key_type;
  char *fingerprint;
  char *randomart;
  TetherHostKeyStatus status;
  char *old_fingerprint;
  char *old_key_type;
  char *known_hosts_file;
  guint known_hosts_line;
};

G_DEFINE_FINAL_TYPE (TetherHostKeyInfo, tether_host_key_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOSTNAME,
  PROP_PORT,
  PROP_KEY_TYPE,
  PROP_FINGERPRINT,
  PROP_RANDOMART,
  PROP_STATUS,
  PROP_OLD_FINGERPRINT,
  PROP_OLD_KEY_TYPE,
  PROP_KNOWN_HOSTS_FILE,
  PROP_KNOWN_HOSTS_LINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tether_host_key_info_finalize (GObject *object)
{
  TetherHostKeyInfo *self = TETHER_HOST_KEY_INFO (object);

  g_free (self->hostname);
  g_free (self->key_type);
  g_free (self->fingerprint);
  g_free (self->randomart);
  g_free (self->old_fingerprint);
  g_free (self->old_key_type);
  g_free (self->known_hosts_file);

  G_OBJECT_CLASS (tether_host_key_info_parent_class)->finalize (object);
}

static void
tether_host_key_info_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TetherHostKeyInfo *self = TETHER_HOST_KEY_INFO (object);

  switch (prop_id) {
  case PROP_HOSTNAME: g_value_set_string (value, self->hostname); break;
  case PROP_PORT: g_value_set_uint (value, self->port); break;
  case PROP_KEY_TYPE: g_value_set_string (value, self->key_type); break;
  case PROP_FINGERPRINT: g_value_set_string (value, self->fingerprint); break;
  case PROP_RANDOMART: g_value_set_string (value, self->randomart); break;
  case PROP_STATUS: g_value_set_enum (value, self->status); break;
  case PROP_OLD_FINGERPRINT: g_value_set_string (value, self->old_fingerprint); break;
  case PROP_OLD_KEY_TYPE: g_value_set_string (value, self->old_key_type); break;
  case PROP_KNOWN_HOSTS_FILE: g_value_set_string (value, self->known_hosts_file); break;
  case PROP_KNOWN_HOSTS_LINE: g_value_set_uint (value, self->known_hosts_line); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_host_key_info_class_init (TetherHostKeyInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tether_host_key_info_finalize;
  object_class->get_property = tether_host_key_info_get_property;

  /**
   * TetherHostKeyInfo:hostname:
   *
   * The host name the key was presented for.
   */
  properties[PROP_HOSTNAME] = g_param_spec_string ("hostname", NULL, NULL, NULL, ro);
  /**
   * TetherHostKeyInfo:port:
   *
   * The port the key was presented on.
   */
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, ro);
  /**
   * TetherHostKeyInfo:key-type:
   *
   * The key type, as known_hosts spells it (`ssh-ed25519`).
   */
  properties[PROP_KEY_TYPE] = g_param_spec_string ("key-type", NULL, NULL, NULL, ro);
  /**
   * TetherHostKeyInfo:fingerprint:
   *
   * The SHA256 fingerprint as OpenSSH prints it (`SHA256:...`).
   */
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, ro);
  /**
   * TetherHostKeyInfo:randomart:
   *
   * OpenSSH's random art of the fingerprint, 11 lines.
   */
  properties[PROP_RANDOMART] = g_param_spec_string ("randomart", NULL, NULL, NULL, ro);
  /**
   * TetherHostKeyInfo:status:
   *
   * How the key compares with the known_hosts files.
   */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, TETHER_TYPE_HOST_KEY_STATUS,
                       TETHER_HOST_KEY_STATUS_UNKNOWN, ro);
  /**
   * TetherHostKeyInfo:old-fingerprint:
   *
   * For a changed key (or another type on record), the fingerprint on record.
   */
  properties[PROP_OLD_FINGERPRINT] =
    g_param_spec_string ("old-fingerprint", NULL, NULL, NULL, ro);
  /**
   * TetherHostKeyInfo:old-key-type:
   *
   * The type of the key on record, when there is one.
   */
  properties[PROP_OLD_KEY_TYPE] = g_param_spec_string ("old-key-type", NULL, NULL, NULL, ro);
  /**
   * TetherHostKeyInfo:known-hosts-file:
   *
   * The known_hosts file that holds the old key, or where a new key is saved.
   */
  properties[PROP_KNOWN_HOSTS_FILE] =
    g_param_spec_string ("known-hosts-file", NULL, NULL, NULL, ro);
  /**
   * TetherHostKeyInfo:known-hosts-line:
   *
   * The line of #TetherHostKeyInfo:known-hosts-file that holds the old key; 0 for none.
   */
  properties[PROP_KNOWN_HOSTS_LINE] =
    g_param_spec_uint ("known-hosts-line", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_host_key_info_init (TetherHostKeyInfo *self)
{
  self->status = TETHER_HOST_KEY_STATUS_UNKNOWN;
}

TetherHostKeyInfo *
_tether_host_key_info_new (const char          *hostname,
                           guint                port,
                           const char          *key_type,
                           const char          *fingerprint,
                           const char          *randomart,
                           TetherHostKeyStatus  status,
                           const char          *old_key_type,
                           const char          *old_fingerprint,
                           const char          *known_hosts_file,
                           guint                known_hosts_line)
{
  TetherHostKeyInfo *self = g_object_new (TETHER_TYPE_HOST_KEY_INFO, NULL);

  self->hostname = g_strdup (hostname);
  self->port = port;
  self->key_type = g_strdup (key_type);
  self->fingerprint = g_strdup (fingerprint);
  self->randomart = g_strdup (randomart);
  self->status = status;
  self->old_key_type = g_strdup (old_key_type);
  self->old_fingerprint = g_strdup (old_fingerprint);
  self->known_hosts_file = g_strdup (known_hosts_file);
  self->known_hosts_line = known_hosts_line;
  return self;
}

/**
 * tether_host_key_info_get_hostname:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the host name.
 *
 * Returns: the host name
 */
const char *
tether_host_key_info_get_hostname (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), NULL);
  return self->hostname;
}

/**
 * tether_host_key_info_get_port:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the port.
 *
 * Returns: the port
 */
guint
tether_host_key_info_get_port (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), 0);
  return self->port;
}

/**
 * tether_host_key_info_get_key_type:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the key type.
 *
 * Returns: the key type
 */
const char *
tether_host_key_info_get_key_type (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), NULL);
  return self->key_type;
}

/**
 * tether_host_key_info_get_fingerprint:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the SHA256 fingerprint.
 *
 * Returns: the SHA256 fingerprint
 */
const char *
tether_host_key_info_get_fingerprint (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), NULL);
  return self->fingerprint;
}

/**
 * tether_host_key_info_get_randomart:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the random art.
 *
 * Returns: (nullable): the random art
 */
const char *
tether_host_key_info_get_randomart (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), NULL);
  return self->randomart;
}

/**
 * tether_host_key_info_get_status:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the known-hosts status.
 *
 * Returns: the known-hosts status
 */
TetherHostKeyStatus
tether_host_key_info_get_status (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), TETHER_HOST_KEY_STATUS_UNKNOWN);
  return self->status;
}

/**
 * tether_host_key_info_get_old_fingerprint:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the fingerprint on record.
 *
 * Returns: (nullable): the fingerprint on record
 */
const char *
tether_host_key_info_get_old_fingerprint (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), NULL);
  return self->old_fingerprint;
}

/**
 * tether_host_key_info_get_old_key_type:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the key type on record.
 *
 * Returns: (nullable): the key type on record
 */
const char *
tether_host_key_info_get_old_key_type (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), NULL);
  return self->old_key_type;
}

/**
 * tether_host_key_info_get_known_hosts_file:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the known_hosts file.
 *
 * Returns: (nullable) (type filename): the known_hosts file
 */
const char *
tether_host_key_info_get_known_hosts_file (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), NULL);
  return self->known_hosts_file;
}

/**
 * tether_host_key_info_get_known_hosts_line:
 * @self: a #TetherHostKeyInfo
 *
 * Gets the line of the old key, 0 for none.
 *
 * Returns: the line of the old key, 0 for none
 */
guint
tether_host_key_info_get_known_hosts_line (TetherHostKeyInfo *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_KEY_INFO (self), 0);
  return self->known_hosts_line;
}
