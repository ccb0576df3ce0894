import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { TestConnectionResult, type TestConnectionResultT } from '@/lib/messaging';
import { serverUrlStorage } from '@/lib/storage';
import { useEnglishMessages, useMessages } from '@/test/unit/i18n';
import { describeSavedResult, describeTestResult, Options } from './Options';

/** The token's store, in memory. */
const vault = { saved: '', get: async () => vault.saved, set: async (t: string) => void (vault.saved = t) };
const alice: TestConnectionResultT = {
  result: 'connected',
  user: { id: 'u', name: 'Alice' },
  tenant: { id: 't', name: 'Acme' },
  role: 'member',
};
const refused: TestConnectionResultT = { result: 'refused', address: '127.0.0.1:9' };

beforeEach(() => {
  vault.saved = '';
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

describe('Options', () => {
  it('saves the server URL and token, then says who the saved settings sign in as', async () => {
    let checks = 0;
    render(() => (
      <Options
        deps={{
          token: vault,
          testConnection: async () => ({ result: 'insecure' }),
          checkSaved: async () => {
            checks++;
            return alice;
          },
        }}
      />
    ));
    fireEvent.input(await screen.findByTestId('server-url'), {
      target: { value: ' wss://chat.example.com ' },
    });
    fireEvent.input(screen.getByTestId('token'), { target: { value: 'tok-1' } });
    fireEvent.click(screen.getByTestId('save-settings'));
    await waitFor(() =>
      expect(screen.queryByTestId('save-status')?.textContent).toBe(
        'Saved. Connected as \u2068Alice\u2069 of \u2068Acme\u2069.',
      ),
    );
    expect(await serverUrlStorage.getValue()).toBe('wss://chat.example.com');
    expect(vault.saved).toBe('tok-1');
    expect(checks).toBe(1);
  });

  it('says when saved settings do not work, and why', async () => {
    render(() => (
      <Options deps={{ token: vault, testConnection: async () => alice, checkSaved: async () => refused }} />
    ));
    fireEvent.input(await screen.findByTestId('server-url'), { target: { value: 'ws://127.0.0.1:9' } });
    fireEvent.input(screen.getByTestId('token'), { target: { value: 'tok' } });
    fireEvent.click(screen.getByTestId('save-settings'));
    await waitFor(() =>
      expect(screen.queryByTestId('save-status')?.textContent).toBe(
        'Saved, but these settings do not work yet: Nothing is listening at \u2068127.0.0.1:9\u2069. ' +
          'Check the port number, and that the Collab Chat server is running.',
      ),
    );
  });

  it('refuses to save a plain ws:// URL to another machine, saying why', async () => {
    render(() => (
      <Options
        deps={{
          token: vault,
          testConnection: async () => ({ result: 'insecure' }),
          checkSaved: async () => alice,
        }}
      />
    ));
    fireEvent.input(await screen.findByTestId('server-url'), { target: { value: 'ws://chat.example.com' } });
    fireEvent.click(screen.getByTestId('save-settings'));
    await waitFor(() =>
      expect(screen.queryByTestId('test-result')?.getAttribute('data-result')).toBe('insecure'),
    );
    expect(await serverUrlStorage.getValue()).toBe('');
  });

  it('tests the values typed without saving them, and says so', async () => {
    const asked: Array<[string, string]> = [];
    render(() => (
      <Options
        deps={{
          token: vault,
          checkSaved: async () => alice,
          testConnection: async (url, token) => {
            asked.push([url, token]);
            return alice;
          },
        }}
      />
    ));
    fireEvent.input(await screen.findByTestId('server-url'), { target: { value: 'ws://127.0.0.1:1234' } });
    fireEvent.input(screen.getByTestId('token'), { target: { value: 'tok' } });
    fireEvent.click(screen.getByTestId('test-connection'));
    await waitFor(() =>
      expect(screen.getByTestId('test-result').textContent).toBe(
        'Test passed, not saved yet: this connects as \u2068Alice\u2069 of \u2068Acme\u2069. ' +
          'Press Save to use these settings.',
      ),
    );
    expect(asked).toEqual([['ws://127.0.0.1:1234', 'tok']]);
    expect(await serverUrlStorage.getValue()).toBe('');
    expect(vault.saved).toBe('');
    // Saved, the same test says the settings are in use.
    fireEvent.click(screen.getByTestId('save-settings'));
    await waitFor(() =>
      expect(screen.getByTestId('save-status').getAttribute('data-result')).toBe('connected'),
    );
    fireEvent.click(screen.getByTestId('test-connection'));
    await waitFor(() =>
      expect(screen.getByTestId('test-result').textContent).toBe(
        'Connected as \u2068Alice\u2069 of \u2068Acme\u2069. These settings are saved.',
      ),
    );
    // The saved settings are tested by the background (its token may be a renewed one), not the fields.
    expect(asked).toEqual([['ws://127.0.0.1:1234', 'tok']]);
  });
});

/** Every cause the test tells apart, and its words in each locale. */
const CAUSES: Array<[TestConnectionResultT, string, string]> = [
  [
    { result: 'host-not-found', host: 'chat.exmaple.com' },
    'There is no server named \u2068chat.exmaple.com\u2069. Check the host name in the URL for a typing mistake.',
    'Não existe servidor com o nome \u2068chat.exmaple.com\u2069. Verifique se há erro de digitação no nome do host na URL.',
  ],
  [
    refused,
    'Nothing is listening at \u2068127.0.0.1:9\u2069. Check the port number, and that the Collab Chat server is running.',
    'Nada está escutando em \u2068127.0.0.1:9\u2069. Verifique o número da porta e se o servidor do Collab Chat está rodando.',
  ],
  [
    { result: 'not-collab-chat', address: 'example.com:443' },
    'A server answers at \u2068example.com:443\u2069, but it is not a Collab Chat server. Check the host name and the port with your admin.',
    'Um servidor responde em \u2068example.com:443\u2069, mas não é um servidor do Collab Chat. Confira o nome do host e a porta com o administrador.',
  ],
  [
    { result: 'tls-untrusted', address: 'chat:8443', healthUrl: 'https://chat:8443/healthz' },
    "The Collab Chat server at \u2068chat:8443\u2069 has a TLS certificate this browser does not trust (self-signed, expired or for another name). Ask your admin for a trusted certificate; open \u2068https://chat:8443/healthz\u2069 in a tab to see the browser's reason.",
    'O servidor do Collab Chat em \u2068chat:8443\u2069 tem um certificado TLS em que este navegador não confia (autoassinado, vencido ou de outro nome). Peça ao administrador um certificado confiável; abra \u2068https://chat:8443/healthz\u2069 numa aba para ver o motivo dado pelo navegador.',
  ],
  [
    { result: 'tls-not-offered', address: 'chat:8080' },
    'The server at \u2068chat:8080\u2069 does not use TLS on that port, so wss:// cannot work. Use the port your admin gave for wss://.',
    'O servidor em \u2068chat:8080\u2069 não usa TLS nessa porta, então wss:// não funciona. Use a porta que o administrador indicou para wss://.',
  ],
  [
    { result: 'starting', address: 'chat:443' },
    'The Collab Chat server at \u2068chat:443\u2069 is starting up or too busy right now. Try again in a minute.',
    'O servidor do Collab Chat em \u2068chat:443\u2069 está iniciando ou ocupado demais agora. Tente de novo em um minuto.',
  ],
  [
    { result: 'no-answer', address: 'chat:443', seconds: 6 },
    'No answer from \u2068chat:443\u2069 within 6 seconds. Check the address, and that no firewall blocks the port.',
    'Nenhuma resposta de \u2068chat:443\u2069 em 6 segundos. Verifique o endereço e se nenhum firewall bloqueia a porta.',
  ],
  [
    { result: 'origin-refused', address: 'chat:443' },
    "The Collab Chat server at \u2068chat:443\u2069 turned this browser extension away. Ask your admin to add it to the server's allowed origins.",
    'O servidor do Collab Chat em \u2068chat:443\u2069 recusou esta extensão do navegador. Peça ao administrador para incluí-la nas origens permitidas do servidor.',
  ],
  [
    { result: 'unreachable', address: 'chat:443', healthUrl: 'https://chat/healthz' },
    "Could not connect to \u2068chat:443\u2069. Either nothing is listening there, or its TLS certificate is not trusted by this browser. Check the port and that the server is running, or open \u2068https://chat/healthz\u2069 in a tab to see the browser's reason.",
    'Não foi possível conectar a \u2068chat:443\u2069. Ou nada está escutando lá, ou o certificado TLS não é confiável para este navegador. Verifique a porta e se o servidor está rodando, ou abra \u2068https://chat/healthz\u2069 numa aba para ver o motivo dado pelo navegador.',
  ],
  [
    { result: 'token-refused' },
    'The server refused the token. Check it, or ask your admin for a new one.',
    'O servidor recusou o token. Verifique-o ou peça um novo ao administrador.',
  ],
  [
    { result: 'insecure' },
    'Plain ws:// is refused for a server that is not on this machine. Use wss://.',
    'ws:// simples é recusado para um servidor fora desta máquina. Use wss://.',
  ],
  [
    { result: 'invalid-url' },
    'This is not a server URL. Use wss://host or wss://host:port.',
    'Isto não é uma URL de servidor. Use wss://host ou wss://host:porta.',
  ],
  [
    { result: 'protocol-mismatch' },
    'The server speaks another protocol version. Update the extension or the server.',
    'O servidor usa outra versão do protocolo. Atualize a extensão ou o servidor.',
  ],
];

describe('the words for each outcome', () => {
  it('covers every outcome the background can report', () => {
    const kinds = new Set(CAUSES.map(([r]) => r.result));
    for (const kind of ['connected', 'missing-token']) kinds.add(kind as TestConnectionResultT['result']);
    expect([...kinds].sort()).toEqual(
      (TestConnectionResult.options.map((o) => o.shape.result.value) as string[]).sort(),
    );
  });

  it.each(CAUSES)('in English: %o', (result, english) => {
    useMessages('en');
    expect(describeTestResult(result)).toBe(english);
    expect(describeSavedResult(result)).toBe(`Saved, but these settings do not work yet: ${english}`);
  });

  it.each(CAUSES)('in Brazilian Portuguese: %o', (result, _english, portuguese) => {
    useMessages('pt_BR');
    expect(describeTestResult(result)).toBe(portuguese);
    expect(describeSavedResult(result)).toBe(
      `Salvo, mas estas configurações ainda não funcionam: ${portuguese}`,
    );
  });

  it('never shows a close code or a browser error name', () => {
    for (const locale of ['en', 'pt_BR'] as const) {
      useMessages(locale);
      for (const [result] of CAUSES)
        expect(describeTestResult(result)).not.toMatch(/\b(code|1006|ERR_|NS_)\b/);
    }
  });
});
