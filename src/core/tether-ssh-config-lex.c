/* tether-ssh-config-lex.c: the words of an ssh_config line, patterns and plain values.
 *
 * The lexer follows OpenSSH's strdelim () and argv_split (), the pattern matching its match.c,
 * and the values its readconf.c (a2port (), convtime ()).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tether-ssh-config-private.h"

/* ------------------------------------------------------------------------ */
/* Lexing, after OpenSSH's strdelim () and argv_split ()                    */

/* Splits S into words: blanks separate, "double" and 'single' quotes group,
 * a backslash escapes a quote, a backslash or (outside quotes) a space, and
 * a word starting with # ends the line. FALSE when a quote is not closed.
 */
gboolean
split_args (const char  *s,
            GStrv       *out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gsize i = 0;

  while (s[i] != '\0') {
    g_autoptr(GString) arg = NULL;
    char quote = 0;

    if (s[i] == ' ' || s[i] == '\t') {
      i++;
      continue;
    }
    if (s[i] == '#')
      break;

    arg = g_string_new (NULL);
    for (; s[i] != '\0'; i++) {
      if (s[i] == '\\') {
        char next = s[i + 1];

        if (next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' '))
          i++;
        g_string_append_c (arg, s[i]);
      } else if (quote == 0 && (s[i] == ' ' || s[i] == '\t'))
        break;
      else if (quote == 0 && (s[i] == '"' || s[i] == '\''))
        quote = s[i];
      else if (quote != 0 && s[i] == quote)
        quote = 0;
      else
        g_string_append_c (arg, s[i]);
    }
    if (quote != 0)
      return FALSE;
    g_strv_builder_add (builder, arg->str);
  }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* Where the comment of a line starts, by split_args ()'s rules (a word that
 * starts with #), or NULL. */
char *
find_comment (char *s)
{
  gsize i = 0;

  while (s[i] != '\0') {
    char quote = 0;

    if (s[i] == ' ' || s[i] == '\t') {
      i++;
      continue;
    }
    if (s[i] == '#')
      return s + i;
    for (; s[i] != '\0'; i++) {
      if (s[i] == '\\' && (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\' ||
                            (quote == 0 && s[i + 1] == ' ')))
        i++;
      else if (quote == 0 && (s[i] == ' ' || s[i] == '\t'))
        break;
      else if (quote == 0 && (s[i] == '"' || s[i] == '\''))
        quote = s[i];
      else if (quote != 0 && s[i] == quote)
        quote = 0;
    }
  }
  return NULL;
}

/* OpenSSH's match_pattern (): `*` and `?` wildcards, case-sensitive. Written
 * with one backtracking point so that hostile patterns stay linear-ish.
 */
gboolean
match_pattern (const char *s,
               const char *pattern)
{
  const char *star = NULL;
  const char *resume = NULL;

  while (*s != '\0') {
    if (*pattern == '*') {
      star = pattern++;
      resume = s;
    } else if (*pattern != '\0' && (*pattern == '?' || *pattern == *s)) {
      pattern++;
      s++;
    } else if (star != NULL) {
      pattern = star + 1;
      s = ++resume;
    } else
      return FALSE;
  } while (*pattern == '*')
    pattern++;
  return *pattern == '\0';
}

/* OpenSSH's match_pattern_list (): comma-separated patterns, `!` negates.
 * Returns 1 for a match, -1 for a negated match, 0 for none.
 */
int
match_pattern_list (const char *s,
                    const char *list,
                    gboolean    lowercase)
{
  g_auto(GStrv) subs = g_strsplit (list, ",", -1);
  int result = 0;

  for (guint i = 0; subs[i] != NULL; i++) {
    const char *sub = subs[i];
    gboolean negated = sub[0] == '!';
    g_autofree char *lower = NULL;

    if (negated)
      sub++;
    if (lowercase)
      sub = lower = g_ascii_strdown (sub, -1);
    if (match_pattern (s, sub)) {
      if (negated)
        return -1;
      result = 1;
    }
  }
  return result;
}

/* OpenSSH's match_hostname (): host names compare in lower case, both sides. */
gboolean
match_hostname (const char *host,
                const char *list)
{
  g_autofree char *lower = g_ascii_strdown (host, -1);

  return match_pattern_list (lower, list, TRUE) == 1;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */

gboolean
parse_port (const char *text,
            int        *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, PORT_MAX, &value, NULL))
    return FALSE;
  *out = (int) value;
  return TRUE;
}

/* OpenSSH's convtime (): "90", "1m30s", "2h"; -1 when malformed. */
gint64
parse_time (const char *text)
{
  gint64 total = 0;
  const char *p = text;

  if (*p == '\0')
    return -1;
  while (*p != '\0') {
    gint64 value = 0;
    gint64 multiplier = 1;

    if (!g_ascii_isdigit (*p))
      return -1;
    while (g_ascii_isdigit (*p)) {
      value = value * 10 + (*p++ - '0');
      if (value > G_MAXINT)
        return -1;
    }
    switch (*p) {
    case '\0': break;
    case 's': case 'S': p++; break;
    case 'm': case 'M': multiplier = SECONDS_PER_MINUTE; p++; break;
    case 'h': case 'H': multiplier = SECONDS_PER_HOUR; p++; break;
    case 'd': case 'D': multiplier = SECONDS_PER_DAY; p++; break;
    case 'w': case 'W': multiplier = SECONDS_PER_WEEK; p++; break;
    default: return -1;
    }
    total += value * multiplier;
    if (total > G_MAXINT)
      return -1;
  }
  return total;
}

/* yes/no/true/false; -1 for anything else. */
int
parse_flag (const char *text)
{
  if (g_ascii_strcasecmp (text, "yes") == 0 || g_ascii_strcasecmp (text, "true") == 0)
    return 1;
  if (g_ascii_strcasecmp (text, "no") == 0 || g_ascii_strcasecmp (text, "false") == 0)
    return 0;
  return -1;
}

/* Replaces the home directory by ~ for messages. */
char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (home_len > 1 && g_str_has_prefix (path, home) && path[home_len] == '/')
    return g_strconcat ("~", path + home_len, NULL);
  return g_strdup (path);
}
