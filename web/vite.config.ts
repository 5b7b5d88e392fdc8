import { defineConfig } from 'vite';

// Static files only: the server serves web/dist at / and /assets/ (src/static.ts).
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The page is small; one script and one stylesheet load fastest.
    modulePreload: false,
    reportCompressedSize: true,
  },
});
