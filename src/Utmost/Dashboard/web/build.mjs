// Bundles the dashboard into dist/: app.js (our code and Chart.js, minified), app.css and index.html.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  outfile: 'dist/app.js',
  logLevel: 'warning',
});
copyFileSync('src/app.css', 'dist/app.css');
copyFileSync('src/index.html', 'dist/index.html');
