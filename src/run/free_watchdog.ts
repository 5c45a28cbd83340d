// Free and record mode's watchdog, an explicit scale of the configured one.

import type { RealmConfig } from '../model/config.js';

/**
 * Free and record mode run the watchdog this many times longer than controlled
 * mode: a real thread spins through many more steps waiting for a peer the OS
 * has not scheduled yet, and that is not a hang.
 */
export const FREE_WATCHDOG_SCALE = 10;

/**
 * The realm config free and record runs run with. Their reproducers carry it
 * (repro/make.ts applies it), so controlled replays use the same watchdog.
 */
export const freeRealmConfig = (realm: RealmConfig): RealmConfig => ({ ...realm, watchdogSteps: realm.watchdogSteps * FREE_WATCHDOG_SCALE });
