/* fuzz-hosts-rewrite.c: libFuzzer target for the rewrite of hosts.conf.
 *
 * The input is a hosts.conf. When it parses (the store writes nothing else),
 * it is cut into chunks as the store keeps it, and the edits the store makes
 * are made to it: every saved host written back unchanged (an update), one
 * removed, one added. Each result must parse again, keep every other host as
 * it was, and lose nothing: the chunks joined are the file. No file is read
 * or written.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tether.h"
#include "tether-host-store-private.h"

/* Bounds the per-input work so that one input cannot time the fuzzer out. */
#define FUZZ_MAX_HOSTS 8
/* hosts.conf files are small; a bigger input only slows the fuzzer down. */
#define FUZZ_MAX_INPUT (64 * 1024)
/* The alias of the host the target adds: one that a file may already use. */
#define FUZZ_NEW_ALIAS "fuzz-new"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A finding: abort () so that libFuzzer keeps the input (g_error () traps). */
#define fuzz_fail(...) \
  G_STMT_START { g_printerr (__VA_ARGS__); g_printerr ("\n"); abort (); } G_STMT_END

static GPtrArray *
fuzz_chunk_texts (GPtrArray *chunks)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < chunks->len; i++)
    g_ptr_array_add (texts, g_strdup (((TetherHostsChunk *) g_ptr_array_index (chunks, i))->text));
  return texts;
}

/* Parses TEXT as the store parses what it is about to write; it must parse. */
static GPtrArray *
parse_back (const char *text)
{
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;

  if (!tether_ssh_config_parse_data (config, text, -1, "hosts.conf", &error))
    fuzz_fail ("A rewrite does not parse back: %s\n---\n%s---", error->message, text);
  return _tether_hosts_chunks_new (text, config);
}

static TetherHost *
find_host (GPtrArray  *chunks,
           const char *alias)
{
  for (guint i = 0; i < chunks->len; i++)
    {
      TetherHostsChunk *chunk = g_ptr_array_index (chunks, i);

      if (chunk->host != NULL && strcmp (tether_host_get_alias (chunk->host), alias) == 0)
        return chunk->host;
    }
  return NULL;
}

static guint
count_hosts (GPtrArray *chunks)
{
  guint n = 0;

  for (guint i = 0; i < chunks->len; i++)
    if (((TetherHostsChunk *) g_ptr_array_index (chunks, i))->host != NULL)
      n++;
  return n;
}

static guint
count_blocks_naming (GPtrArray  *chunks,
                     const char *alias)
{
  guint n = 0;

  for (guint i = 0; i < chunks->len; i++)
    {
      TetherHostsChunk *chunk = g_ptr_array_index (chunks, i);
      const char * const *patterns = tether_ssh_config_block_get_patterns (chunk->block);

      if (tether_ssh_config_block_get_kind (chunk->block) == TETHER_SSH_CONFIG_BLOCK_HOST &&
          patterns != NULL && g_strv_contains (patterns, alias))
        n++;
    }
  return n;
}

/* Every host of BEFORE but SKIP is in AFTER, the same. A host whose block
 * names FREED_ID as its id (taken by an earlier block, now removed) gets
 * that id back. */
static void
assert_others_kept (GPtrArray  *before,
                    GPtrArray  *after,
                    const char *skip,
                    const char *freed_id)
{
  for (guint i = 0; i < before->len; i++)
    {
      TetherHostsChunk *chunk = g_ptr_array_index (before, i);
      const char *alias;
      TetherHost *again;

      if (chunk->host == NULL)
        continue;
      alias = tether_host_get_alias (chunk->host);
      if (skip != NULL && strcmp (alias, skip) == 0)
        continue;
      again = find_host (after, alias);
      if (again != NULL && freed_id != NULL &&
          g_strcmp0 (tether_ssh_config_block_get_metadata (chunk->block, "id"), freed_id) == 0 &&
          g_strcmp0 (tether_host_get_id (again), freed_id) == 0)
        {
          g_autoptr(TetherHost) copy = tether_host_copy (again);

          tether_host_set_id (copy, tether_host_get_id (chunk->host));
          if (!_tether_hosts_host_equal (chunk->host, copy))
            fuzz_fail ("Removing a host changed host %s", alias);
          continue;
        }
      if (again == NULL || !_tether_hosts_host_equal (chunk->host, again))
        fuzz_fail ("The rewrite changed host %s (id %s, now %s)", alias,
                   tether_host_get_id (chunk->host),
                   again != NULL ? tether_host_get_id (again) : "gone");
    }
}

static void
fuzz_update (GPtrArray *chunks,
             guint      index)
{
  TetherHostsChunk *chunk = g_ptr_array_index (chunks, index);
  g_autoptr(GPtrArray) texts = fuzz_chunk_texts (chunks);
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *text = NULL;
  TetherHost *again;

  /* The store refuses to save what it could not write back (a line break in a name). */
  if (!_tether_hosts_check_host (chunk->host, NULL))
    return;
  g_free (texts->pdata[index]);
  texts->pdata[index] = _tether_hosts_rewrite_chunk (chunk, chunk->host);
  text = _tether_hosts_join (texts);
  after = parse_back (text);
  again = find_host (after, tether_host_get_alias (chunk->host));
  if (again == NULL || !_tether_hosts_host_equal (chunk->host, again))
    fuzz_fail ("Saving %s unchanged changed it:\n---\n%s---", tether_host_get_alias (chunk->host),
               text);
  assert_others_kept (chunks, after, NULL, NULL);
}

static void
fuzz_remove (GPtrArray *chunks,
             guint      index)
{
  TetherHostsChunk *chunk = g_ptr_array_index (chunks, index);
  g_autoptr(GPtrArray) texts = fuzz_chunk_texts (chunks);
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *text = NULL;

  g_ptr_array_remove_index (texts, index);
  text = _tether_hosts_join (texts);
  after = parse_back (text);
  /* A second block of the same name then defines the host (and may claim
   * an id that another host had to give up for it). */
  if (count_blocks_naming (chunks, tether_host_get_alias (chunk->host)) > 1)
    return;
  g_assert (find_host (after, tether_host_get_alias (chunk->host)) == NULL);
  g_assert (count_hosts (after) == count_hosts (chunks) - 1);
  assert_others_kept (chunks, after, tether_host_get_alias (chunk->host),
                      tether_host_get_id (chunk->host));
}

static void
fuzz_add (GPtrArray *chunks)
{
  g_autoptr(TetherHost) host = tether_host_new (FUZZ_NEW_ALIAS);
  g_autoptr(GPtrArray) texts = fuzz_chunk_texts (chunks);
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *text = NULL;
  g_autofree char *block = NULL;
  TetherHost *again;

  /* The store refuses an alias that is taken. */
  if (find_host (chunks, FUZZ_NEW_ALIAS) != NULL)
    return;
  tether_host_set_id (host, "00000000-0000-0000-0000-000000000001");
  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);
  tether_host_set_hostname (host, "new.example.org");
  tether_host_set_port (host, 2222);
  block = _tether_hosts_new_block (host);
  g_ptr_array_add (texts, g_strconcat ("\n", block, NULL));
  text = _tether_hosts_join (texts);
  after = parse_back (text);
  again = find_host (after, FUZZ_NEW_ALIAS);
  g_assert (again != NULL);
  g_assert (g_strcmp0 (tether_host_get_hostname (again), "new.example.org") == 0);
  g_assert (tether_host_get_port (again) == 2222);
  assert_others_kept (chunks, after, NULL, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *text = NULL;
  g_autofree char *joined = NULL;
  guint n_updated = 0;

  if (size > FUZZ_MAX_INPUT)
    return 0;
  /* The store reads the file as a C string. */
  text = g_strndup ((const char *) data, size);
  if (!tether_ssh_config_parse_data (config, text, -1, "hosts.conf", NULL))
    return 0;

  chunks = _tether_hosts_chunks_new (text, config);
  /* Cut, not changed: the chunks joined are the file. */
  texts = fuzz_chunk_texts (chunks);
  joined = _tether_hosts_join (texts);
  if (strcmp (joined, text) != 0)
    fuzz_fail ("The chunks lose text of the file");

  for (guint i = 0; i < chunks->len && n_updated < FUZZ_MAX_HOSTS; i++)
    {
      if (((TetherHostsChunk *) g_ptr_array_index (chunks, i))->host == NULL)
        continue;
      fuzz_update (chunks, i);
      if (n_updated == 0)
        fuzz_remove (chunks, i);
      n_updated++;
    }
  fuzz_add (chunks);
  return 0;
}
