/* tether-forward-spec.c: LocalForward, RemoteForward and DynamicForward values, parsed once.
 *
 * The grammar is OpenSSH's parse_forward () (readconf.c of OpenSSH 9.2): colon-separated
 * fields, an address in [brackets] or with backslash escapes, a field with a `/` is a Unix
 * socket path. ssh_config writes the two ends as two words (`8080 localhost:80`), `ssh -L` as
 * one (`8080:localhost:80`); both are read here. The ssh_config parser reads with OpenSSH's
 * leniency (socket paths, an empty destination); the public parser refuses what Tether cannot
 * forward, with a message for the user.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tether-forward-spec.h"
#include "tether-forward-spec-private.h"

/* The most colon-separated fields a forward has: bind address, port, host, port. */
#define MAX_FIELDS 4
#define PORT_MAX 65535

struct _TetherForwardSpec
{
  TetherForwardKind kind;
  char *bind_address;  /* NULL: ssh's default (loopback, or the server's GatewayPorts) */
  char *bind_path;     /* a Unix socket to listen on (OpenSSH leniency only) */
  guint bind_port;
  char *host;          /* NULL: no destination, a SOCKS proxy */
  char *host_path;     /* a Unix socket to connect to (OpenSSH leniency only) */
  guint host_port;
};

/**
 * tether_forward_spec_error_quark:
 *
 * Gets the error domain of tether_forward_spec_parse (), %TETHER_FORWARD_SPEC_ERROR.
 *
 * Returns: the quark of the domain
 */
G_DEFINE_QUARK (tether-forward-spec-error-quark, tether_forward_spec_error)

G_DEFINE_BOXED_TYPE (TetherForwardSpec, tether_forward_spec,
                     tether_forward_spec_copy, tether_forward_spec_free)

static const char * const kind_keywords[] = {
  [TETHER_FORWARD_KIND_LOCAL] = "LocalForward",
  [TETHER_FORWARD_KIND_REMOTE] = "RemoteForward",
  [TETHER_FORWARD_KIND_DYNAMIC] = "DynamicForward",
};

/**
 * tether_forward_kind_from_keyword:
 * @keyword: an ssh_config keyword, in any case
 * @kind: (out): the kind of forward @keyword configures
 *
 * Finds which kind of forward an ssh_config keyword configures.
 *
 * Returns: %TRUE when @keyword is `LocalForward`, `RemoteForward` or `DynamicForward`
 */
gboolean
tether_forward_kind_from_keyword (const char        *keyword,
                                  TetherForwardKind *kind)
{
  g_return_val_if_fail (keyword != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (kind_keywords); i++) {
    if (g_ascii_strcasecmp (keyword, kind_keywords[i]) == 0) {
      if (kind != NULL)
        *kind = (TetherForwardKind) i;
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * tether_forward_kind_to_keyword:
 * @kind: a #TetherForwardKind
 *
 * Gets the ssh_config keyword that configures forwards of @kind.
 *
 * Returns: the ssh_config keyword of @kind, such as `LocalForward`
 */
const char *
tether_forward_kind_to_keyword (TetherForwardKind kind)
{
  g_return_val_if_fail (kind <= TETHER_FORWARD_KIND_DYNAMIC, NULL);

  return kind_keywords[kind];
}

typedef struct {
  char *arg;
  gboolean is_path;
} Field;

/* OpenSSH's parse_fwd_field (): one colon-separated field, [bracketed] or with backslash
 * escapes. Advances *p; FALSE at the end or on a bad field. */
static gboolean
next_field (char  **p,
            Field  *field)
{
  char *cp = *p;

  if (cp == NULL || *cp == '\0')
    return FALSE;

  field->is_path = FALSE;
  if (*cp == '[') {
    char *ep;

    for (ep = cp + 1; *ep != ']' && *ep != '\0'; ep++) {
      if (*ep == '/')
        field->is_path = TRUE;
    }
    if (ep[0] != ']' || (ep[1] != ':' && ep[1] != '\0'))
      return FALSE;
    *ep++ = '\0';
    if (*ep != '\0')
      *ep++ = '\0';
    field->arg = cp + 1;
    *p = ep;
    return TRUE;
  }

  for (; *cp != '\0'; cp++) {
    if (*cp == '\\') {
      memmove (cp, cp + 1, strlen (cp + 1) + 1);
      if (*cp == '\0')
        return FALSE;
    } else if (*cp == '/') {
      field->is_path = TRUE;
    } else if (*cp == ':') {
      *cp++ = '\0';
      break;
    }
  }
  field->arg = *p;
  *p = cp;
  return TRUE;
}

/* OpenSSH's a2port () without service names: 0 to 65535, else -1. */
static int
field_port (const char *text)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, PORT_MAX, &value, NULL))
    return -1;
  return (int) value;
}

static gboolean
fail (GError                 **error,
      TetherForwardSpecError   code,
      TetherForwardKind        kind,
      const char              *written)
{
  switch (code) {
  case TETHER_FORWARD_SPEC_ERROR_PORT:
    g_set_error (error, TETHER_FORWARD_SPEC_ERROR, code,
                 _("“%s” has a port that is not a number from 1 to 65535."), written);
    break;
  case TETHER_FORWARD_SPEC_ERROR_NO_DESTINATION:
    g_set_error (error, TETHER_FORWARD_SPEC_ERROR, code,
                 _("“%s” needs a destination, such as 8080 localhost:80."), written);
    break;
  case TETHER_FORWARD_SPEC_ERROR_UNIX_SOCKET:
    g_set_error (error, TETHER_FORWARD_SPEC_ERROR, code,
                 _("“%s” names a Unix socket; Tether forwards TCP ports only."), written);
    break;
  case TETHER_FORWARD_SPEC_ERROR_SYNTAX:
  default:
    if (kind == TETHER_FORWARD_KIND_DYNAMIC)
      g_set_error (error, TETHER_FORWARD_SPEC_ERROR, code,
                   _("“%s” is not a port to listen on: write it as [bind address:]port."),
                   written);
    else
      g_set_error (error, TETHER_FORWARD_SPEC_ERROR, code,
                   _("“%s” is not a forward: write it as [bind address:]port host:port."),
                   written);
    break;
  }
  return FALSE;
}

/* Reads TEXT (both ends joined by a colon) into SPEC. TWO_WORDS: the destination was written
 * as a word of its own, so it must be there. LENIENT: accept what OpenSSH accepts (socket
 * paths, an empty destination host). WRITTEN is what the user wrote, for messages. */
static gboolean
parse_text (TetherForwardSpec  *spec,
            const char         *text,
            gboolean            two_words,
            gboolean            lenient,
            const char         *written,
            GError            **error)
{
  g_autofree char *copy = g_strdup (text);
  Field fields[MAX_FIELDS];
  const char *listen_host = NULL;
  const char *listen_path = NULL;
  const char *connect_host = NULL;
  const char *connect_path = NULL;
  const char *listen_port = NULL;
  const char *connect_port = NULL;
  TetherForwardKind kind = spec->kind;
  char *cp = copy;
  guint n = 0;
  int port;

  while (g_ascii_isspace (*cp))
    cp++;
  while (n < MAX_FIELDS && next_field (&cp, &fields[n]))
    n++;
  if (n == 0 || (cp != NULL && *cp != '\0'))
    return fail (error, TETHER_FORWARD_SPEC_ERROR_SYNTAX, kind, written);

  switch (n) {
  case 1:
    if (fields[0].is_path)
      listen_path = fields[0].arg;
    else
      listen_port = fields[0].arg;
    break;
  case 2:
    if (fields[0].is_path && fields[1].is_path) {
      listen_path = fields[0].arg;
      connect_path = fields[1].arg;
    } else if (fields[1].is_path) {
      listen_port = fields[0].arg;
      connect_path = fields[1].arg;
    } else {
      listen_host = fields[0].arg;
      listen_port = fields[1].arg;
    }
    break;
  case 3:
    if (fields[0].is_path) {
      listen_path = fields[0].arg;
      connect_host = fields[1].arg;
      connect_port = fields[2].arg;
    } else if (fields[2].is_path) {
      listen_host = fields[0].arg;
      listen_port = fields[1].arg;
      connect_path = fields[2].arg;
    } else {
      listen_port = fields[0].arg;
      connect_host = fields[1].arg;
      connect_port = fields[2].arg;
    }
    break;
  case 4:
  default:
    listen_host = fields[0].arg;
    listen_port = fields[1].arg;
    connect_host = fields[2].arg;
    connect_port = fields[3].arg;
    break;
  }

  if (kind == TETHER_FORWARD_KIND_DYNAMIC && (connect_host != NULL || connect_path != NULL))
    return fail (error, TETHER_FORWARD_SPEC_ERROR_SYNTAX, kind, written);
  if (kind != TETHER_FORWARD_KIND_DYNAMIC && connect_host == NULL && connect_path == NULL) {
    /* A second word without a port is a destination written wrong. */
    if (two_words)
      return fail (error, TETHER_FORWARD_SPEC_ERROR_SYNTAX, kind, written);
    /* `RemoteForward PORT` alone is a SOCKS proxy on the server (ssh -R PORT). */
    if (kind == TETHER_FORWARD_KIND_LOCAL)
      return fail (error, TETHER_FORWARD_SPEC_ERROR_NO_DESTINATION, kind, written);
  }
  if (!lenient && (listen_path != NULL || connect_path != NULL))
    return fail (error, TETHER_FORWARD_SPEC_ERROR_UNIX_SOCKET, kind, written);
  if (!lenient && connect_host != NULL && *connect_host == '\0')
    return fail (error, TETHER_FORWARD_SPEC_ERROR_SYNTAX, kind, written);

  if (listen_path == NULL) {
    port = field_port (listen_port);
    /* Only the server picks a port for 0. */
    if (port < 0 || (port == 0 && kind != TETHER_FORWARD_KIND_REMOTE))
      return fail (error, TETHER_FORWARD_SPEC_ERROR_PORT, kind, written);
    spec->bind_port = (guint) port;
  }
  if (connect_host != NULL) {
    port = field_port (connect_port);
    if (port <= 0)
      return fail (error, TETHER_FORWARD_SPEC_ERROR_PORT, kind, written);
    spec->host_port = (guint) port;
  }

  spec->bind_address = g_strdup (listen_host);
  spec->bind_path = g_strdup (listen_path);
  spec->host = g_strdup (connect_host);
  spec->host_path = g_strdup (connect_path);
  return TRUE;
}

TetherForwardSpec *
_tether_forward_spec_parse_args (TetherForwardKind    kind,
                                 const char * const  *args,
                                 gboolean             lenient,
                                 GError             **error)
{
  g_autoptr(TetherForwardSpec) spec = g_new0 (TetherForwardSpec, 1);
  g_autofree char *written = NULL;
  g_autofree char *text = NULL;
  gboolean two_words;

  g_return_val_if_fail (args != NULL, NULL);

  spec->kind = kind;
  written = g_strjoinv (" ", (char **) args);
  two_words = kind != TETHER_FORWARD_KIND_DYNAMIC && args[0] != NULL && args[1] != NULL &&
              *args[1] != '\0';
  /* ssh_config takes a forward as one or two words; DynamicForward as one. */
  if (args[0] == NULL || *args[0] == '\0' || (two_words && args[2] != NULL) ||
      (kind == TETHER_FORWARD_KIND_DYNAMIC && args[1] != NULL)) {
    fail (error, TETHER_FORWARD_SPEC_ERROR_SYNTAX, kind, written);
    return NULL;
  }
  text = two_words ? g_strdup_printf ("%s:%s", args[0], args[1]) : g_strdup (args[0]);
  if (!parse_text (spec, text, two_words, lenient, written, error))
    return NULL;
  return g_steal_pointer (&spec);
}

/**
 * tether_forward_spec_parse:
 * @kind: the kind of forward @spec describes
 * @spec: the forward as ssh_config writes it (`[bind_address:]port host:hostport`, as
 *   `LocalForward` takes it) or as `ssh -L` takes it (`[bind_address:]port:host:hostport`);
 *   for %TETHER_FORWARD_KIND_DYNAMIC, `[bind_address:]port`
 * @error: return location for a #GError
 *
 * Parses a forward with the syntax of ssh_config(5): addresses may be in brackets
 * (`[::1]:8080`), `*` or an empty address listens on every interface, and a remote forward
 * without a destination is a SOCKS proxy on the server. Unix socket paths are refused.
 *
 * Returns: (transfer full): the forward, or %NULL with @error set in the
 *   %TETHER_FORWARD_SPEC_ERROR domain
 */
TetherForwardSpec *
tether_forward_spec_parse (TetherForwardKind   kind,
                           const char         *spec,
                           GError            **error)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (kind <= TETHER_FORWARD_KIND_DYNAMIC, NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  words = g_strsplit_set (spec, " \t\r\n", -1);
  for (guint i = 0; words[i] != NULL; i++) {
    if (*words[i] != '\0')
      g_strv_builder_add (builder, words[i]);
  }
  g_strfreev (words);
  words = g_strv_builder_end (builder);
  if (words[0] == NULL) {
    fail (error, TETHER_FORWARD_SPEC_ERROR_SYNTAX, kind, spec);
    return NULL;
  }
  return _tether_forward_spec_parse_args (kind, (const char * const *) words, FALSE, error);
}

/**
 * tether_forward_spec_copy:
 * @self: a #TetherForwardSpec
 *
 * Copies a forward spec.
 *
 * Returns: (transfer full): a copy of @self
 */
TetherForwardSpec *
tether_forward_spec_copy (const TetherForwardSpec *self)
{
  TetherForwardSpec *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->bind_address = g_strdup (self->bind_address);
  copy->bind_path = g_strdup (self->bind_path);
  copy->host = g_strdup (self->host);
  copy->host_path = g_strdup (self->host_path);
  return copy;
}

/**
 * tether_forward_spec_free:
 * @self: (nullable): a #TetherForwardSpec
 *
 * Frees a forward spec.
 */
void
tether_forward_spec_free (TetherForwardSpec *self)
{
  if (self == NULL)
    return;
  g_free (self->bind_address);
  g_free (self->bind_path);
  g_free (self->host);
  g_free (self->host_path);
  g_free (self);
}

/**
 * tether_forward_spec_get_kind:
 * @self: a #TetherForwardSpec
 *
 * Gets the kind of the forward: local, remote or dynamic.
 *
 * Returns: which way the forward goes
 */
TetherForwardKind
tether_forward_spec_get_kind (const TetherForwardSpec *self)
{
  g_return_val_if_fail (self != NULL, TETHER_FORWARD_KIND_LOCAL);
  return self->kind;
}

/**
 * tether_forward_spec_get_bind_address:
 * @self: a #TetherForwardSpec
 *
 * Gets the address the forward listens on.
 *
 * Returns: (nullable): the address to listen on, without brackets (`*` or empty for every
 *   interface); %NULL for ssh's default, the loopback interface
 */
const char *
tether_forward_spec_get_bind_address (const TetherForwardSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->bind_address;
}

/**
 * tether_forward_spec_get_bind_port:
 * @self: a #TetherForwardSpec
 *
 * Gets the port the forward listens on.
 *
 * Returns: the port to listen on; 0 for a remote forward asks the server to pick one
 */
guint
tether_forward_spec_get_bind_port (const TetherForwardSpec *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->bind_port;
}

/**
 * tether_forward_spec_get_host:
 * @self: a #TetherForwardSpec
 *
 * Gets the host connections are forwarded to.
 *
 * Returns: (nullable): the destination host, without brackets; %NULL for a SOCKS proxy
 *   (a dynamic forward, or a remote forward without a destination)
 */
const char *
tether_forward_spec_get_host (const TetherForwardSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

/**
 * tether_forward_spec_get_host_port:
 * @self: a #TetherForwardSpec
 *
 * Gets the port connections are forwarded to.
 *
 * Returns: the destination port; 0 for a SOCKS proxy
 */
guint
tether_forward_spec_get_host_port (const TetherForwardSpec *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->host_port;
}

/* An address that cannot stand bare before `:port`: an IPv6 address, or an empty one. */
static gboolean
needs_brackets (const char *address)
{
  return *address == '\0' || strpbrk (address, ":/") != NULL;
}

static void
append_end (GString    *out,
            const char *path,
            const char *address,
            guint       port,
            gboolean    always_bracket)
{
  if (path != NULL)
    g_string_append (out, path);
  else if (address == NULL)
    g_string_append_printf (out, "%u", port);
  else if (always_bracket || needs_brackets (address))
    g_string_append_printf (out, "[%s]:%u", address, port);
  else
    g_string_append_printf (out, "%s:%u", address, port);
}

static char *
to_string (const TetherForwardSpec *self,
           gboolean                 always_bracket)
{
  GString *out = g_string_new (NULL);

  append_end (out, self->bind_path, self->bind_address, self->bind_port, always_bracket);
  if (self->host != NULL || self->host_path != NULL) {
    g_string_append_c (out, ' ');
    append_end (out, self->host_path, self->host, self->host_port, always_bracket);
  }
  return g_string_free (out, FALSE);
}

/**
 * tether_forward_spec_to_string:
 * @self: a #TetherForwardSpec
 *
 * Formats the forward the way ssh_config writes it.
 *
 * Returns: (transfer full): the forward as an ssh_config value, such as `8080 localhost:80`,
 *   `[::1]:8080 db:5432` or `1080`: what #TetherHost:local-forwards and the others hold
 */
char *
tether_forward_spec_to_string (const TetherForwardSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return to_string (self, FALSE);
}

char *
_tether_forward_spec_to_ssh_g (const TetherForwardSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return to_string (self, TRUE);
}
