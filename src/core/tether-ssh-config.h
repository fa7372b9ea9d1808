/* tether-ssh-config.h: a parser of ssh_config(5) files that resolves hosts as `ssh -G` does. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-host.h"

G_BEGIN_DECLS

/**
 * TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH:
 *
 * How deeply `Include` may nest; OpenSSH's limit (READCONF_MAX_DEPTH).
 */
#define TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH 16

/**
 * TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS:
 *
 * How long a `Match exec` command may run before it is killed and counts as
 * not matching. ssh waits forever, which would hold a connection forever;
 * real commands (is the VPN up, which network is this) take well under a
 * second, and a slow network check a few.
 */
#define TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS (10 * 1000)

/**
 * TetherSshConfigBlockKind:
 * @TETHER_SSH_CONFIG_BLOCK_GLOBAL: the lines of a file before its first `Host` or `Match`
 * @TETHER_SSH_CONFIG_BLOCK_HOST: a `Host` block
 * @TETHER_SSH_CONFIG_BLOCK_MATCH: a `Match` block
 *
 * What starts a #TetherSshConfigBlock.
 */
typedef enum {
  TETHER_SSH_CONFIG_BLOCK_GLOBAL,
  TETHER_SSH_CONFIG_BLOCK_HOST,
  TETHER_SSH_CONFIG_BLOCK_MATCH,
} TetherSshConfigBlockKind;

/**
 * TetherSshConfigOption:
 *
 * One `Keyword value` line of an ssh_config file, kept as written.
 */
typedef struct _TetherSshConfigOption TetherSshConfigOption;

/**
 * TetherSshConfigBlock:
 *
 * A `Host` or `Match` block (or the lines before the first one): its
 * patterns, its options in order and its `#@tether key=value` metadata.
 */
typedef struct _TetherSshConfigBlock TetherSshConfigBlock;

#define TETHER_TYPE_SSH_CONFIG_OPTION (tether_ssh_config_option_get_type ())
TETHER_AVAILABLE_IN_ALL
GType                  tether_ssh_config_option_get_type     (void) G_GNUC_CONST;
TETHER_AVAILABLE_IN_ALL
TetherSshConfigOption *tether_ssh_config_option_ref          (TetherSshConfigOption *self);
TETHER_AVAILABLE_IN_ALL
void                   tether_ssh_config_option_unref        (TetherSshConfigOption *self);
TETHER_AVAILABLE_IN_ALL
const char            *tether_ssh_config_option_get_keyword  (TetherSshConfigOption *self);
TETHER_AVAILABLE_IN_ALL
const char            *tether_ssh_config_option_get_value    (TetherSshConfigOption *self);
TETHER_AVAILABLE_IN_ALL
const char * const    *tether_ssh_config_option_get_args     (TetherSshConfigOption *self);
TETHER_AVAILABLE_IN_ALL
guint                  tether_ssh_config_option_get_line     (TetherSshConfigOption *self);
TETHER_AVAILABLE_IN_ALL
gboolean               tether_ssh_config_option_is_known     (TetherSshConfigOption *self);
TETHER_AVAILABLE_IN_ALL
gboolean               tether_ssh_config_option_is_valid     (TetherSshConfigOption *self);

#define TETHER_TYPE_SSH_CONFIG_BLOCK (tether_ssh_config_block_get_type ())
TETHER_AVAILABLE_IN_ALL
GType                  tether_ssh_config_block_get_type      (void) G_GNUC_CONST;
TETHER_AVAILABLE_IN_ALL
TetherSshConfigBlock  *tether_ssh_config_block_ref           (TetherSshConfigBlock  *self);
TETHER_AVAILABLE_IN_ALL
void                   tether_ssh_config_block_unref         (TetherSshConfigBlock  *self);
TETHER_AVAILABLE_IN_ALL
TetherSshConfigBlockKind tether_ssh_config_block_get_kind    (TetherSshConfigBlock  *self);
TETHER_AVAILABLE_IN_ALL
const char            *tether_ssh_config_block_get_filename  (TetherSshConfigBlock  *self);
TETHER_AVAILABLE_IN_ALL
guint                  tether_ssh_config_block_get_line      (TetherSshConfigBlock  *self);
TETHER_AVAILABLE_IN_ALL
const char * const    *tether_ssh_config_block_get_patterns  (TetherSshConfigBlock  *self);
TETHER_AVAILABLE_IN_ALL
GPtrArray             *tether_ssh_config_block_get_options   (TetherSshConfigBlock  *self);
TETHER_AVAILABLE_IN_ALL
GPtrArray             *tether_ssh_config_block_dup_unknown_options (TetherSshConfigBlock *self);
TETHER_AVAILABLE_IN_ALL
const char            *tether_ssh_config_block_get_metadata  (TetherSshConfigBlock  *self,
                                                              const char            *key);
TETHER_AVAILABLE_IN_ALL
const char * const    *tether_ssh_config_block_get_metadata_keys (TetherSshConfigBlock *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherSshConfigOption, tether_ssh_config_option_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherSshConfigBlock, tether_ssh_config_block_unref)

#define TETHER_TYPE_SSH_CONFIG (tether_ssh_config_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherSshConfig, tether_ssh_config, TETHER, SSH_CONFIG, GObject)

TETHER_AVAILABLE_IN_ALL
TetherSshConfig *tether_ssh_config_new             (void);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_ssh_config_get_lenient     (TetherSshConfig  *self);
TETHER_AVAILABLE_IN_ALL
void             tether_ssh_config_set_lenient     (TetherSshConfig  *self,
                                                    gboolean          lenient);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_ssh_config_parse_data      (TetherSshConfig  *self,
                                                    const char       *data,
                                                    gssize            length,
                                                    const char       *filename,
                                                    GError          **error);
TETHER_AVAILABLE_IN_ALL
gboolean         tether_ssh_config_load_file       (TetherSshConfig  *self,
                                                    GFile            *file,
                                                    GError          **error);
TETHER_AVAILABLE_IN_ALL
GPtrArray       *tether_ssh_config_get_errors      (TetherSshConfig  *self);
TETHER_AVAILABLE_IN_ALL
GPtrArray       *tether_ssh_config_get_blocks      (TetherSshConfig  *self);
TETHER_AVAILABLE_IN_ALL
char           **tether_ssh_config_get_hosts       (TetherSshConfig  *self);
TETHER_AVAILABLE_IN_ALL
TetherSshConfigBlock *tether_ssh_config_get_host_block (TetherSshConfig *self,
                                                       const char      *name);
TETHER_AVAILABLE_IN_ALL
TetherHost      *tether_ssh_config_resolve         (TetherSshConfig  *self,
                                                    const char       *alias,
                                                    GError          **error);
TETHER_AVAILABLE_IN_ALL
char           **tether_ssh_config_resolve_values  (TetherSshConfig  *self,
                                                    const char       *alias,
                                                    const char       *keyword,
                                                    GError          **error);

G_END_DECLS
