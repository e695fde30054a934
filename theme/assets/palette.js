// Katalog UMKM: the light/dark switch in the header (theme/partials/palette.html), in place of
// Material's palette component. Same markup, same stored choice (`__palette` in Material's
// storage, which Material's inline script at the top of <body> applies before the first paint),
// same behaviour: the phone's setting on a first visit, the buyer's choice after a tap.
// Material's component sets every colour attribute on <body> again on each page load, marks the
// body as switching and reads the header's computed style: each a style recalculation of the
// whole page, most of the blocking time of a page after Material's own start-up (issue 17).
// This one writes an attribute only when its value changes.

(() => {
  const form = document.querySelector("[data-umkm-palette]");
  if (!form) return;
  const inputs = [...form.querySelectorAll("input[name=__palette]")];
  if (!inputs.length) return;
  const KEYS = ["media", "scheme", "primary", "accent"];
  const body = document.body;

  const read = () => {
    try {
      return __md_get("__palette");
    } catch {
      return null; // storage refused (private mode): the phone's setting, not remembered
    }
  };
  const save = (palette) => {
    try {
      __md_set("__palette", palette);
    } catch {
      // as above
    }
  };

  function colorOf(input) {
    const color = Object.fromEntries(KEYS.map((key) => [key, input.getAttribute(`data-md-color-${key}`)]));
    if (color.media === "(prefers-color-scheme)") {
      // An "automatic" option: the colours of the option for the phone's current setting.
      const light = matchMedia("(prefers-color-scheme: light)").matches;
      const match = form.querySelector(`[data-md-color-media='(prefers-color-scheme: ${light ? "light" : "dark"})']`);
      if (match) for (const key of ["scheme", "primary", "accent"]) color[key] = match.getAttribute(`data-md-color-${key}`);
    }
    return color;
  }

  function apply(index) {
    const color = colorOf(inputs[index]);
    for (const key of KEYS) {
      const name = `data-md-color-${key}`;
      if (color[key] !== null && body.getAttribute(name) !== color[key]) body.setAttribute(name, color[key]);
    }
    inputs[index].checked = true;
    inputs.forEach((input, i) => {
      const label = input.nextElementSibling;
      if (label instanceof HTMLElement && label.hidden !== (i !== index)) label.hidden = i !== index;
    });
    save({ index, color });
  }

  const stored = read();
  const first = stored && Number.isInteger(stored.index)
    ? stored.index
    : inputs.findIndex((input) => matchMedia(input.getAttribute("data-md-color-media")).matches);
  apply(Math.max(0, Math.min(first, inputs.length - 1)));

  // A tap on the visible label checks the next option; no transitions while the colours change.
  form.addEventListener("change", (event) => {
    const index = inputs.indexOf(event.target);
    if (index < 0) return;
    body.setAttribute("data-md-color-switching", "");
    apply(index);
    setTimeout(() => body.removeAttribute("data-md-color-switching"));
  });
  // Enter on the focused switch moves to the next option (Material: https://t.ly/YIhVj).
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const current = inputs.findIndex((input) => input.checked);
    const next = inputs[(current + 1) % inputs.length];
    next.click();
    next.focus();
  });
})();
