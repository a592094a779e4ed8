// A small HTML page for errors people meet in a browser (an unknown or mistyped short link),
// styled by the gallery's stylesheet; API clients get the JSON error instead.
import { escapeHtml } from "../domain/escaping.js";

export function errorPage(title: string, message: string): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${e(title)} · nglaunch</title>
    <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/static/gallery.css" />
  </head>
  <body>
    <main>
      <h1>${e(title)}</h1>
      <p>${e(message)}</p>
      <p><a href="/gallery">Open a view from the gallery</a></p>
    </main>
  </body>
</html>
`;
}
