import { constants, inflateSync } from 'node:zlib';
import { malformed } from './errors';
import { intOf, isArray, isDict, isName, type PdfDict, type PdfObject } from './objects';

/** Decoded streams larger than this are refused (cross-reference and object streams only are decoded). */
const MAX_DECODED = 256 * 1024 * 1024;

function undoPngPredictor(data: Buffer, columns: number, colors: number, bpc: number): Buffer {
	const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
	const rowLength = Math.ceil((columns * colors * bpc) / 8);
	const rows = Math.floor(data.length / (rowLength + 1));
	const out = Buffer.alloc(rows * rowLength);
	for (let r = 0; r < rows; r++) {
		const type = data[r * (rowLength + 1)];
		const src = r * (rowLength + 1) + 1;
		const dst = r * rowLength;
		for (let i = 0; i < rowLength; i++) {
			const raw = data[src + i];
			const left = i >= bpp ? out[dst + i - bpp] : 0;
			const up = r > 0 ? out[dst - rowLength + i] : 0;
			const upLeft = r > 0 && i >= bpp ? out[dst - rowLength + i - bpp] : 0;
			let value: number;
			switch (type) {
				case 0:
					value = raw;
					break;
				case 1:
					value = raw + left;
					break;
				case 2:
					value = raw + up;
					break;
				case 3:
					value = raw + Math.floor((left + up) / 2);
					break;
				case 4: {
					const p = left + up - upLeft;
					const pa = Math.abs(p - left);
					const pb = Math.abs(p - up);
					const pc = Math.abs(p - upLeft);
					value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
					break;
				}
				default:
					malformed(`a stream uses an unknown PNG predictor row type ${type}.`);
			}
			out[dst + i] = value & 0xff;
		}
	}
	return out;
}

/**
 * Decode a cross-reference or object stream: no filter or FlateDecode, with optional PNG predictors.
 * Anything else is refused as malformed (those streams are always Flate in practice).
 */
export function decodeStream(dict: PdfDict, raw: Buffer, parms: PdfObject | undefined = dict.get('DecodeParms')): Buffer {
	let filter = dict.get('Filter');
	if (isArray(filter)) {
		if (filter.length > 1) malformed('a structure stream has more than one filter.');
		filter = filter[0];
		if (isArray(parms)) parms = parms[0];
	}
	if (filter === undefined || filter === null) return raw;
	if (!isName(filter, 'FlateDecode')) malformed(`a structure stream uses the ${isName(filter) ? filter.name : 'unknown'} filter; only FlateDecode is supported there.`);
	let data: Buffer;
	try {
		data = inflateSync(raw, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED });
	} catch (error) {
		malformed(`a compressed structure stream does not inflate (${(error as Error).message}).`);
	}
	if (isDict(parms)) {
		const predictor = intOf(parms.get('Predictor')) ?? 1;
		if (predictor >= 10) {
			data = undoPngPredictor(data, intOf(parms.get('Columns')) ?? 1, intOf(parms.get('Colors')) ?? 1, intOf(parms.get('BitsPerComponent')) ?? 8);
		} else if (predictor !== 1) {
			malformed(`a structure stream uses predictor ${predictor}, which is not supported.`);
		}
	}
	return data;
}
