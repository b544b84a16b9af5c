// Builders for the "cnCloud" module (the TP-Link cloud binding).

import { Command, command } from './command';
import { onlyKeys, own, record, secret, text } from './validate';

const M = 'cnCloud';

export function getInfo(): Command {
  return command(M, 'get_info', null);
}

export function getFirmwareList(): Command {
  return command(M, 'get_intl_fw_list', {});
}

/** A bare host name (optionally ":port"), e.g. "devs.tplinkcloud.com", as the plug expects. */
export function setServerUrl(server: string): Command {
  const host = text('server', server, {
    min: 1,
    max: 253,
    pattern: /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/,
    what: 'a host name like "devs.tplinkcloud.com"',
  });
  return command(M, 'set_server_url', { server: host }, true);
}

export interface Credentials {
  username: string;
  password: string;
}

/** Binds the plug to a TP-Link account (the e-mail address is the username). */
export function bind(credentials: Credentials): Command {
  const o = record('credentials', credentials);
  onlyKeys('credentials', o, ['username', 'password']);
  const username = text('username', own(o, 'username'), { min: 1, max: 64, what: 'an account name' });
  const password = secret('password', own(o, 'password'), 1, 64);
  return { ...command(M, 'bind', { username, password }, true), secretArgs: ['password'] };
}

export function unbind(): Command {
  return command(M, 'unbind', null, true);
}
