/* tether-palette.c: the terminal colour palettes, one table for the terminal, Preferences and
 * the host editor. "Follow system" is a choice, not a palette: it stands for GNOME's palette
 * (as in Console) on a light or a dark background, whichever the app's style is now. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-palette.h"

/* GNOME's colours (Console's), on a light and a dark background. */
#define GNOME_COLORS \
  { "#241f31", "#c01c28", "#2ec27e", "#f5c211", "#1e78e4", "#9841bb", "#0ab9dc", "#c0bfbc", \
    "#5e5c64", "#ed333b", "#57e389", "#f8e45c", "#51a1ff", "#c061cb", "#4fd2fd", "#f6f5f4" }

static const TetherPalette gnome_light = {
  "gnome-light", NULL, "#241f31", "#ffffff", GNOME_COLORS
};

static const TetherPalette gnome_dark = {
  "gnome-dark", NULL, "#ffffff", "#1e1e1e", GNOME_COLORS
};

#define TANGO_COLORS \
  { "#2e3436", "#cc0000", "#4e9a06", "#c4a000", "#3465a4", "#75507b", "#06989a", "#d3d7cf", \
    "#555753", "#ef2929", "#8ae234", "#fce94f", "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec" }

/* Ethan Schoonover's Solarized, in the order terminals use it. */
#define SOLARIZED_COLORS \
  { "#073642", "#dc322f", "#859900", "#b58900", "#268bd2", "#d33682", "#2aa198", "#eee8d5", \
    "#002b36", "#cb4b16", "#586e75", "#657b83", "#839496", "#6c71c4", "#93a1a1", "#fdf6e3" }

/* In the order of the choosers' rows. The first is the follow-system choice. */
static const TetherPalette choices[] = {
  { TETHER_PALETTE_FOLLOW_SYSTEM, N_("Follow System Style"), NULL, NULL, { NULL } },
  { "tango-light", N_("Tango Light"), "#2e3436", "#eeeeec", TANGO_COLORS },
  { "tango-dark", N_("Tango Dark"), "#d3d7cf", "#2e3436", TANGO_COLORS },
  { "solarized-light", N_("Solarized Light"), "#657b83", "#fdf6e3", SOLARIZED_COLORS },
  { "solarized-dark", N_("Solarized Dark"), "#839496", "#002b36", SOLARIZED_COLORS },
  /* White on black, every colour at least 4.5:1 against black save black itself. */
  { "high-contrast", N_("High Contrast"), "#ffffff", "#000000",
    { "#000000", "#ff6e6e", "#4ef04e", "#ffff55", "#8cb4ff", "#ff78ff", "#55ffff", "#e5e5e5",
      "#a0a0a0", "#ff9c9c", "#9cff9c", "#ffff9c", "#b4ccff", "#ffa8ff", "#9cffff", "#ffffff" } },
};

guint
tether_palette_get_n_choices (void)
{
  return G_N_ELEMENTS (choices);
}

/* The palette a chooser shows at @position; the first stands for "follow system". */
const TetherPalette *
tether_palette_get_choice (guint position)
{
  g_return_val_if_fail (position < G_N_ELEMENTS (choices), NULL);

  return &choices[position];
}

/* The position of the choice called @id, or -1. */
int
tether_palette_find_choice (const char *id)
{
  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (choices); i++) {
    if (g_str_equal (choices[i].id, id))
      return i;
  }

  return -1;
}

/* The colours to draw with for the choice @id: "follow system", an unknown word (a newer
 * Tether's, or a typo in hosts.conf) and %NULL give GNOME's for a @dark or light style. */
const TetherPalette *
tether_palette_resolve (const char *id,
                        gboolean    dark)
{
  int position = tether_palette_find_choice (id);

  if (position <= 0)
    return dark ? &gnome_dark : &gnome_light;

  return &choices[position];
}

void
tether_palette_get_colors (const TetherPalette *palette,
                           GdkRGBA             *foreground,
                           GdkRGBA             *background,
                           GdkRGBA              colors[TETHER_PALETTE_N_COLORS])
{
  g_return_if_fail (palette != NULL && palette->foreground != NULL);

  gdk_rgba_parse (foreground, palette->foreground);
  gdk_rgba_parse (background, palette->background);
  for (guint i = 0; i < TETHER_PALETTE_N_COLORS; i++)
    gdk_rgba_parse (&colors[i], palette->colors[i]);
}
