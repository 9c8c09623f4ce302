/** The six canonicalization URIs XAdES verifiers must support (spec §5.1). */
export const C14N = {
	c14n10: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
	c14n10Comments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
	c14n11: 'http://www.w3.org/2006/12/xml-c14n11',
	c14n11Comments: 'http://www.w3.org/2006/12/xml-c14n11#WithComments',
	exc: 'http://www.w3.org/2001/10/xml-exc-c14n#',
	excComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
} as const;

/** Parsed form of a c14n URI. */
export interface C14nMode {
	kind: 'c14n10' | 'c14n11' | 'exc';
	withComments: boolean;
}

const MODES: Record<string, C14nMode> = {
	[C14N.c14n10]: { kind: 'c14n10', withComments: false },
	[C14N.c14n10Comments]: { kind: 'c14n10', withComments: true },
	[C14N.c14n11]: { kind: 'c14n11', withComments: false },
	[C14N.c14n11Comments]: { kind: 'c14n11', withComments: true },
	[C14N.exc]: { kind: 'exc', withComments: false },
	[C14N.excComments]: { kind: 'exc', withComments: true },
};

/** The mode for a c14n URI, or null when the URI is not one of the six supported ones. */
export function c14nMode(uri: string): C14nMode | null {
	return MODES[uri] ?? null;
}

/** True when `uri` names one of the supported canonicalization algorithms. */
export function isC14nAlgorithm(uri: string): boolean {
	return uri in MODES;
}
