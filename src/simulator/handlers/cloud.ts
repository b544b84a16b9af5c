// The "cnCloud" module: binding state only; the simulator never phones home.

import { ModuleHandlers } from './types';
import { argsOf, ok, reqStr } from '../replies';

export const cnCloud: ModuleHandlers = {
  get_info: (dev) => {
    const c = dev.state.cloud;
    return ok({
      username: c.username,
      server: c.server,
      binded: c.binded,
      cld_connection: c.binded,
      illegalType: 0,
      stopConnect: 0,
      tcspStatus: c.binded,
      fwDlPage: '',
      tcspInfo: '',
      fwNotifyType: 0,
    });
  },

  get_intl_fw_list: () => ok({ fw_list: [] }),

  set_server_url: (dev, _t, raw) => {
    dev.state.cloud.server = reqStr(argsOf(raw), 'server', { minBytes: 1, maxBytes: 253 });
    return ok();
  },

  bind: (dev, _t, raw) => {
    const a = argsOf(raw);
    const username = reqStr(a, 'username', { minBytes: 1, maxBytes: 64 });
    reqStr(a, 'password', { minBytes: 1, maxBytes: 64 });
    dev.state.cloud.username = username;
    dev.state.cloud.binded = 1;
    return ok();
  },

  unbind: (dev) => {
    dev.state.cloud.username = '';
    dev.state.cloud.binded = 0;
    return ok();
  },
};
