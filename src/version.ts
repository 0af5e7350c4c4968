/** Keywarden's version, written into every evidence manifest (a test keeps it equal to package.json's). */
export const KEYWARDEN_VERSION = "0.1.0";
