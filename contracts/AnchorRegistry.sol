// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title AnchorRegistry
/// @notice Records the block at which each Merkle root of EPCIS event digests was anchored.
/// @dev Only the root is stored, so the cost of `anchor` does not depend on the batch size;
///      leaves are proven off-chain or through `verify`.
contract AnchorRegistry is AccessControl {
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    mapping(bytes32 root => uint256 blockNumber) private _anchoredAt;

    event Anchored(bytes32 indexed root, uint256 indexed batchId, uint256 leafCount);

    error RootAlreadyAnchored(bytes32 root, uint256 blockNumber);
    error EmptyRoot();
    error EmptyBatch();
    error ZeroAdmin();

    constructor(address admin, address anchorer) {
        // A zero admin would leave the anchorer role impossible to grant or revoke.
        if (admin == address(0)) revert ZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (anchorer != address(0)) _grantRole(ANCHORER_ROLE, anchorer);
    }

    function anchor(bytes32 root, uint256 batchId, uint256 leafCount) external onlyRole(ANCHORER_ROLE) {
        if (root == bytes32(0)) revert EmptyRoot();
        if (leafCount == 0) revert EmptyBatch();
        uint256 existing = _anchoredAt[root];
        if (existing != 0) revert RootAlreadyAnchored(root, existing);
        _anchoredAt[root] = block.number;
        emit Anchored(root, batchId, leafCount);
    }

    /// @return blockNumber the block that anchored `root`, or 0 if it never was.
    function anchoredAt(bytes32 root) external view returns (uint256 blockNumber) {
        return _anchoredAt[root];
    }

    /// @notice Checks a proof built with OpenZeppelin's StandardMerkleTree over `['bytes32']` leaves,
    ///         whose leaf is the double keccak of the ABI-encoded value (guards against second preimages).
    /// @dev Does not require `root` to be anchored: callers combine it with `anchoredAt`.
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 eventDigest) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, keccak256(bytes.concat(keccak256(abi.encode(eventDigest)))));
    }
}
