/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- development code: runs in Node.js, never inside n8n */
/**
 * The browser of the UI test: Debian's Chromium driven by playwright-core (a devDependency,
 * loaded at run time). playwright-core is typed here for the few calls the test makes, so that
 * `tsc` builds e2e/ without it installed; only the UI test itself needs it.
 */

export const CHROMIUM_PATH = process.env.BESCHANNELS_UI_CHROMIUM ?? '/usr/bin/chromium';

/** An element inside `evaluate` (the project compiles without the DOM library). */
export interface DomElement {
	textContent: string | null;
	getAttribute(name: string): string | null;
	querySelectorAll(selector: string): ArrayLike<DomElement>;
	click(): void;
}

type WaitState = 'attached' | 'detached' | 'visible' | 'hidden';

export interface Locator {
	click(options?: { timeout?: number }): Promise<void>;
	dblclick(options?: { timeout?: number }): Promise<void>;
	fill(value: string, options?: { timeout?: number }): Promise<void>;
	waitFor(options?: { state?: WaitState; timeout?: number }): Promise<void>;
	innerText(options?: { timeout?: number }): Promise<string>;
	innerHTML(options?: { timeout?: number }): Promise<string>;
	allInnerTexts(): Promise<string[]>;
	inputValue(options?: { timeout?: number }): Promise<string>;
	isVisible(): Promise<boolean>;
	count(): Promise<number>;
	boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
	first(): Locator;
	locator(selector: string): Locator;
	getByTestId(id: string): Locator;
	getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
	getByRole(role: string, options?: { name?: string | RegExp; exact?: boolean }): Locator;
	filter(options: { hasText?: string | RegExp; visible?: boolean }): Locator;
	evaluate<R>(fn: (element: DomElement) => R): Promise<R>;
	evaluateAll<R>(fn: (elements: DomElement[]) => R): Promise<R>;
}

export interface Page {
	goto(url: string, options?: { timeout?: number; waitUntil?: 'load' | 'domcontentloaded' | 'commit' }): Promise<unknown>;
	locator(selector: string): Locator;
	getByTestId(id: string): Locator;
	getByRole(role: string, options?: { name?: string | RegExp; exact?: boolean }): Locator;
	getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
	screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
	waitForTimeout(ms: number): Promise<void>;
	mouse: {
		move(x: number, y: number, options?: { steps?: number }): Promise<void>;
		down(): Promise<void>;
		up(): Promise<void>;
	};
	keyboard: { press(key: string): Promise<void> };
	on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
	on(event: 'pageerror', listener: (error: Error) => void): void;
}

interface BrowserContext {
	newPage(): Promise<Page>;
	addCookies(cookies: Array<{ name: string; value: string; domain: string; path: string }>): Promise<void>;
	addInitScript(script: { content: string }): Promise<void>;
	setDefaultTimeout(ms: number): void;
}

interface Browser {
	newContext(options: { viewport: { width: number; height: number }; locale?: string; timezoneId?: string }): Promise<BrowserContext>;
	close(): Promise<void>;
	version(): string;
}

interface Playwright {
	chromium: { launch(options: { executablePath: string; args: string[]; headless?: boolean; timeout?: number }): Promise<Browser> };
	selectors: { setTestIdAttribute(name: string): void };
}

function loadPlaywright(): Playwright {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at run time, see above
		return require('playwright-core') as Playwright;
	} catch (error) {
		throw new Error(
			`playwright-core is not installed (${(error as Error).message.split('\n')[0]}): run npm install, it is a devDependency`,
		);
	}
}

/** Starts Chromium headless; getByTestId() matches the data-test-id attributes of n8n's editor. */
export async function launchChromium(): Promise<Browser> {
	const { chromium, selectors } = loadPlaywright();
	selectors.setTestIdAttribute('data-test-id');
	return await chromium.launch({
		executablePath: CHROMIUM_PATH,
		headless: true,
		timeout: 60_000,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-dev-shm-usage',
		],
	});
}
