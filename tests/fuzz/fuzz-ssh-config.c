/* fuzz-ssh-config.c: libFuzzer target for the ssh_config parser and resolver.
 *
 * The input is an ssh_config file. It is parsed strictly and leniently, then
 * the hosts it names (and one name it does not) are resolved, so that the
 * lexer, the Match and Host matching, the forwards and the %-expansion all
 * see hostile text. parse_data () never follows Include, so no file is read.
 */
#include "config.h"

#include <stdint.h>

#include "tether.h"

/* Bounds the per-input work so that one input cannot time the fuzzer out. */
#define FUZZ_MAX_HOSTS 8

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fuzz_resolve (TetherSshConfig *cfg,
              const char      *alias)
{
  static const char * const keywords[] = {
    "LocalForward", "RemoteForward", "DynamicForward", "ProxyCommand", "SendEnv", NULL
  };
  g_autoptr(TetherHost) host = NULL;

  host = tether_ssh_config_resolve (cfg, alias, NULL);
  if (host != NULL)
    {
      g_autofree char *destination = tether_host_dup_destination (host);

      g_assert (destination != NULL);
      g_assert (tether_host_get_port (host) > 0);
    }
  for (guint i = 0; keywords[i] != NULL; i++)
    {
      g_auto(GStrv) values = tether_ssh_config_resolve_values (cfg, alias, keywords[i], NULL);

      g_assert (values == NULL || g_strv_length (values) < G_MAXUINT);
    }
}

static void
fuzz_blocks (TetherSshConfig *cfg)
{
  GPtrArray *blocks = tether_ssh_config_get_blocks (cfg);

  for (guint i = 0; i < blocks->len; i++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (blocks, i);
      const char * const *keys = tether_ssh_config_block_get_metadata_keys (block);
      g_autoptr(GPtrArray) unknown = tether_ssh_config_block_dup_unknown_options (block);
      GPtrArray *options = tether_ssh_config_block_get_options (block);

      for (guint k = 0; keys[k] != NULL; k++)
        g_assert (tether_ssh_config_block_get_metadata (block, keys[k]) != NULL);
      for (guint o = 0; o < options->len; o++)
        {
          TetherSshConfigOption *opt = g_ptr_array_index (options, o);

          g_assert (tether_ssh_config_option_get_keyword (opt) != NULL);
          g_assert (tether_ssh_config_option_get_value (opt) != NULL);
          g_assert (tether_ssh_config_option_get_args (opt) != NULL);
        }
      g_assert (unknown->len <= options->len);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(TetherSshConfig) strict = tether_ssh_config_new ();
  g_autoptr(TetherSshConfig) lenient = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;
  gboolean ok;

  if (size > G_MAXSSIZE)
    return 0;

  ok = tether_ssh_config_parse_data (strict, (const char *) data, (gssize) size, "fuzz", &error);
  g_assert (ok == (error == NULL));
  g_assert (ok || error->domain == TETHER_ERROR);

  tether_ssh_config_set_lenient (lenient, TRUE);
  if (!tether_ssh_config_parse_data (lenient, (const char *) data, (gssize) size, "fuzz", NULL))
    g_error ("a lenient parse failed");
  /* Lenient parsing reports an error exactly when strict parsing fails. */
  g_assert (ok == (tether_ssh_config_get_errors (lenient)->len == 0));

  hosts = tether_ssh_config_get_hosts (lenient);
  for (guint i = 0; hosts[i] != NULL && i < FUZZ_MAX_HOSTS; i++)
    fuzz_resolve (lenient, hosts[i]);
  fuzz_resolve (lenient, "fuzz.example");
  fuzz_blocks (lenient);

  return 0;
}
