/* Intentionally (almost) empty. The theme's fontawesome.js (1.5 MB) converts icons to inline SVG; the theme's
   CSS already carries the Font Awesome 6 webfont rules, so icons render as font glyphs without it.
   This file, in the book's own static folder, overrides the theme's copy. */
